// `npm run dev`: the engine in watch mode (tsx) and the console's development server (next dev,
// pages compile on first visit), side by side under turbo.
import { ensureDependencies, runLocalBin } from './setup.mjs'

ensureDependencies()
console.log(
  'sluice: development servers: engine http://127.0.0.1:4000 (restarts on change), console http://127.0.0.1:3000 (compiles pages on first visit)',
)
runLocalBin('turbo', ['run', 'dev', '--filter=@sluice/engine', '--filter=@sluice/console'])
