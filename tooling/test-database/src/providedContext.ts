// Vitest's provide/inject is typed by augmenting ProvidedContext; both the set-up that provides
// the URL and the helpers that inject it import this file, so every consumer sees the type.
declare module 'vitest' {
  export interface ProvidedContext {
    testDatabaseUrl: string
  }
}

export {}
