// Many jobs starting together against a rate-limited STS: how many exchange requests each job
// makes. Shared by `npm run bench` (200 jobs) and __tests__/e2e/load.test.ts (a smaller scale).
import { getPriority, setPriority } from 'node:os'
import { tempDir, type RunResult } from './runner.js'
import type { Sandbox } from './start.js'

export interface StsLoad {
  results: RunResult[]
  /** STS exchange requests per job, 429s included. */
  perRun: number
  seconds: number
}

/**
 * `runs` jobs, with cnspec already in their shared tool cache, start together (their first
 * exchanges reach the STS at once) against an STS that allows `perSecond` exchanges a second and
 * answers the others 429 with Retry-After: 1. The action runs with its real retry timing.
 */
export async function stsLoad(sandbox: Sandbox, runs: number, perSecond: number): Promise<StsLoad> {
  const toolCache = tempDir('cnspec-load')
  const inputs = { status: 'false', scan: 'false', 'cnspec-version': '13.34.0' }
  const warm = await sandbox.run({ inputs, toolCache })
  if (warm.exitCode !== 0) throw new Error(`warm-up failed:\n${warm.stdout}`)
  sandbox.sts.exchanges = 0
  sandbox.sts.rateLimit = { perSecond, retryAfterSeconds: 1 }
  // Shorter than the action's 30 s request timeout, so no held exchange times out.
  sandbox.sts.startTogether = { jobs: runs, maxWaitMs: 25000 }
  // The stand-ins must answer like other machines would, not starve behind hundreds of node
  // starts on this one: they get a higher priority when allowed (root), else the jobs a lower one.
  const before = getPriority()
  let jobs = before
  try {
    setPriority(before - 10)
  } catch {
    jobs = before + 10
  }
  const started = Date.now()
  try {
    const results = await Promise.all(
      Array.from({ length: runs }, () =>
        sandbox.run({
          inputs,
          toolCache,
          production: true,
          timeoutMs: 240000,
          onSpawn: child => child.pid && setPriority(child.pid, jobs)
        })
      )
    )
    const seconds = (Date.now() - started) / 1000
    return { results, perRun: sandbox.sts.exchanges / runs, seconds }
  } finally {
    sandbox.sts.rateLimit = undefined
    sandbox.sts.startTogether = undefined
    setPriority(before)
  }
}
