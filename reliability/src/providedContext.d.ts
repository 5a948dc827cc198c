// What @sluice/test-database's global set-up provides to test files (declared there too; the
// declaration is repeated because this package does not compile that file).
import 'vitest'

declare module 'vitest' {
  export interface ProvidedContext {
    testDatabaseUrl: string
  }
}
