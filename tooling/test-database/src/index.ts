export { createTestSchema, testDatabaseUrl, withSearchPath } from './testSchema'
export type { TestSchema } from './testSchema'
export { resolveTestServer, redact } from './resolveServer'
export type { TestServer } from './resolveServer'
