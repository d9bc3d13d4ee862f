import { afterAll, beforeAll, expect, it } from '@jest/globals'
import { errorOf, harness, tempDir, type Harness } from '../helpers.js'

let h: Harness
beforeAll(async () => {
  h = await harness()
})
afterAll(async () => h.sandbox.close())

const RUNS = 50
const PER_SECOND = 8

it(`${RUNS} matrix jobs hitting a rate-limited STS at once all succeed, within 3 requests per job`, async () => {
  const toolCache = tempDir('cnspec-load')
  const inputs = { status: 'false', scan: 'false', 'cnspec-version': '13.34.0' }
  expect((await h.run({ inputs, toolCache })).exitCode).toBe(0)
  h.sandbox.sts.exchanges = 0
  h.sandbox.sts.rateLimit = { perSecond: PER_SECOND, retryAfterSeconds: 1 }
  // The real backoff policy, not the shortened one the other tests use.
  const results = await Promise.all(
    Array.from({ length: RUNS }, () =>
      h.run({
        inputs,
        toolCache,
        timeoutMs: 150000,
        env: { CNSPEC_KEYLESS_TEST_BACKOFF_BASE_MS: undefined }
      })
    )
  )
  const failed = results.filter(r => r.exitCode !== 0)
  expect(failed.map(errorOf)).toEqual([])
  const retries = results.reduce(
    (n, r) => n + (r.stdout.match(/answered HTTP 429/g)?.length ?? 0),
    0
  )
  console.log(`${RUNS} runs: ${h.sandbox.sts.exchanges} STS requests, ${retries} retries after 429`)
  expect(h.sandbox.sts.exchanges).toBeLessThanOrEqual(3 * RUNS)
  expect(retries).toBeGreaterThan(0)
}, 180000)
