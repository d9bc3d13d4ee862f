/** GitHub runs at most 256 jobs from one matrix. */
export const MATRIX_LIMIT = 256
/** An installation token can be limited to at most 500 repositories. */
export const TOKEN_REPOSITORY_LIMIT = 500

export interface Batch {
  /** 1-based, zero-padded so job names sort. */
  id: string
  /** Full names, "owner/name". */
  repositories: string[]
}

/**
 * Splits the repositories into at most `maxJobs` batches whose sizes differ by at most one:
 * one repository per job while that fits, then as evenly as possible. Order is kept, so
 * neighbours (by name) share a job.
 */
export function splitIntoBatches(repositories: string[], maxJobs = MATRIX_LIMIT): Batch[] {
  if (!Number.isInteger(maxJobs) || maxJobs < 1 || maxJobs > MATRIX_LIMIT)
    throw new RangeError(`maxJobs must be 1–${MATRIX_LIMIT}, not ${maxJobs}`)
  const jobs = Math.min(repositories.length, maxJobs)
  if (jobs === 0) return []
  const base = Math.floor(repositories.length / jobs)
  const larger = repositories.length % jobs
  const width = String(jobs).length
  const batches: Batch[] = []
  let start = 0
  for (let i = 0; i < jobs; i++) {
    const size = base + (i < larger ? 1 : 0)
    batches.push({
      id: String(i + 1).padStart(width, '0'),
      repositories: repositories.slice(start, start + size)
    })
    start += size
  }
  return batches
}
