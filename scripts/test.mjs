// `npm test`: every workspace's tests, one workspace at a time (they share one PostgreSQL and
// two cores); extra arguments go to turbo, e.g. `npm test -- --filter=@sluice/pipeline-core`.
import { ensureChromium, ensureDependencies, runLocalBin } from './setup.mjs'

ensureDependencies()
ensureChromium()
runLocalBin('turbo', ['run', 'test', '--concurrency=1', ...process.argv.slice(2)])
