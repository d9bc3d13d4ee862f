import * as core from '@actions/core'

/**
 * Runs an action's `run()` so that it always ends with a decided result. A response that
 * stops mid-body can leave nothing scheduled, and Node would then exit 0 with no outputs:
 * a green step that did nothing. An unfinished run fails instead.
 */
export function runGuarded(run: () => Promise<void>, prefix = '[cnspec-keyless]'): void {
  let finished = false
  process.on('beforeExit', () => {
    if (finished) return
    finished = true
    core.setFailed(
      `${prefix} The action stopped before it finished (a server stopped answering). Re-run the job.`
    )
    process.exitCode = 1
  })
  void run().finally(() => {
    finished = true
    // A request abandoned after its deadline may still hold a socket open; the step's
    // result is decided, so do not wait for it.
    process.exit()
  })
}
