import nextPlugin from '@next/eslint-plugin-next'
import base from '@sluice/eslint-config/base'
import reactHooks from 'eslint-plugin-react-hooks'

export default [
  ...base,
  { ignores: ['next-env.d.ts', '.next/**'] },
  reactHooks.configs.flat.recommended,
  nextPlugin.configs['core-web-vitals'],
  {
    files: ['**/*.tsx'],
    rules: {
      // `onClick={() => mutate(x)}` is the idiom for event handlers; React ignores their return value.
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
    },
  },
]
