import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { harness, type Harness } from '../helpers.js'

let h: Harness
beforeAll(async () => {
  h = await harness()
})
afterAll(async () => h.sandbox.close())
beforeEach(() => h.sandbox.reset())

describe('the test suite’s timing knobs do nothing in production', () => {
  it('CNSPEC_KEYLESS_TEST_TIMEOUT_MS in a workflow does not shorten the request timeout', async () => {
    // The STS accepts and never answers. With the knob honoured, the first attempt would
    // time out after 1.5-3 s and be retried; without it, the 30 s timeout is far away when
    // the run is stopped at 15 s.
    h.sandbox.sts.faults.push({ kind: 'hang' })
    const result = await h.sandbox.run({
      production: true,
      inputs: { status: 'false', scan: 'false' },
      env: { CNSPEC_KEYLESS_TEST_TIMEOUT_MS: '1500', CNSPEC_KEYLESS_TEST_BACKOFF_BASE_MS: '10' },
      timeoutMs: 15000
    })
    expect(result.signal).toBe('SIGKILL')
    expect(result.stdout).not.toMatch(/Mondoo token exchange: attempt 1 of \d+ failed/)
    expect(h.sandbox.sts.exchanges).toBe(1)
  }, 30000)
})
