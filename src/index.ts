import * as core from '@actions/core'
import { run } from './main.js'

let finished = false

// A response that stops mid-body can leave nothing scheduled, and Node would then exit 0
// with no outputs: a green step that did nothing. An unfinished run must fail instead.
process.on('beforeExit', () => {
  if (finished) return
  finished = true
  core.setFailed(
    '[cnspec-keyless] The action stopped before it finished (a server stopped answering). Re-run the job.'
  )
  process.exitCode = 1
})

void run().finally(() => {
  finished = true
  // A request abandoned after its deadline may still hold a socket open; the step's
  // result is decided, so do not wait for it.
  process.exit()
})
