import base from '@sluice/eslint-config/base'

// The .mjs scripts run before anything is installed (Node built-ins only, no types): not linted
// with the type-checked rules; the tests are.
export default [{ ignores: ['*.mjs'] }, ...base]
