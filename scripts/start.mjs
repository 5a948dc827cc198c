// `npm start`: the engine (embedded PostgreSQL, demo pipeline) and the console, together.
import { ensureDependencies, runLocalBin } from './setup.mjs'

ensureDependencies()
console.log(
  'sluice: starting the engine on http://127.0.0.1:4000 and the console on http://127.0.0.1:3000',
)
runLocalBin('turbo', [
  'run',
  'start',
  '--filter=@sluice/engine',
  '--filter=@sluice/console',
  ...process.argv.slice(2),
])
