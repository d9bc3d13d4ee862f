import * as core from '@actions/core'

/** How long a decided run waits for the runner to read what it wrote before it exits anyway. */
const FLUSH_LIMIT_MS = 30_000

/** Calls `done` once everything written to stdout and stderr so far has been handed over. */
function flushed(done: () => void): void {
  let pending = 2
  const one = () => {
    if (--pending === 0) done()
  }
  // Writes complete in order: an empty write's callback runs after every earlier write. On a
  // closed pipe the callback gets an error, and there is nothing left to wait for either.
  process.stdout.write('', one)
  process.stderr.write('', one)
}

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
    // A request abandoned after its deadline may still hold a socket open, so the step exits
    // rather than waiting for it; but only once the runner has read every line (on a pipe,
    // process.exit() drops writes still queued: the log would stop mid-way, verdict unseen).
    // A runner that stopped reading cannot hold the step forever either.
    setTimeout(() => process.exit(), FLUSH_LIMIT_MS)
    flushed(() => process.exit())
  })
}
