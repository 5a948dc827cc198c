/** Shared Prettier settings for every Sluice workspace. */
export default {
  semi: false,
  singleQuote: true,
  trailingComma: 'all',
  printWidth: 100,
}
