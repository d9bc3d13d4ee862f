import * as core from '@actions/core'

/** How long each phase took, in the order the phases ended: for the log and the summary. */
export type Timings = Array<[string, number]>

/** Runs one phase, logging and recording its time whether it succeeds or not. */
export async function timed<T>(
  timings: Timings,
  phase: string,
  work: () => Promise<T>
): Promise<T> {
  const start = Date.now()
  try {
    return await work()
  } finally {
    const ms = Date.now() - start
    timings.push([phase, ms])
    core.info(`${phase} took ${(ms / 1000).toFixed(1)} s`)
  }
}
