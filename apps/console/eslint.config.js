import base from '@sluice/eslint-config/base'

export default [
  ...base,
  { ignores: ['next-env.d.ts', '.next/**'] },
  {
    files: ['**/*.tsx'],
    rules: {
      // `onClick={() => mutate(x)}` is the idiom for event handlers; React ignores their return value.
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
    },
  },
]
