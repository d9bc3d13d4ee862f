import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { ID_TOKEN_BUDGET, fetchIdToken } from '../../src/sign-in/id-token.js'
import type { Clock } from '../../src/net/retry.js'
import { startGitHubOidc, type GitHubOidc } from '../../sandbox/github-oidc.js'

// The id-token endpoint is the sandbox's real HTTP stand-in; only time is simulated, so the
// 90-second budget is checked without waiting 90 seconds.
let oidc: GitHubOidc
beforeAll(async () => {
  oidc = await startGitHubOidc()
})
afterAll(async () => oidc.close())
beforeEach(() => {
  oidc.faults.length = 0
  oidc.requests = 0
})

function fakeClock(random = 1): Clock & { elapsed: () => number } {
  let now = 1_000_000
  return {
    now: () => now,
    sleep: async ms => {
      now += ms
    },
    random: () => random,
    elapsed: () => now - 1_000_000
  }
}

describe('fetchIdToken stays within its budget whatever the failure', () => {
  it.each([
    ['503 with the longest backoff', { kind: 'status', status: 503 } as const, 1],
    ['503 with no backoff at all', { kind: 'status', status: 503 } as const, 0],
    [
      '429 with Retry-After: 60',
      { kind: 'status', status: 429, headers: { 'Retry-After': '60' } } as const,
      1
    ],
    ['a transient 403', { kind: 'status', status: 403 } as const, 0.5],
    ['a connection reset', { kind: 'reset' } as const, 0.5]
  ])('%s', async (_name, fault, random) => {
    for (let i = 0; i < 100; i++) oidc.faults.push(fault)
    const clock = fakeClock(random)
    await expect(fetchIdToken('aud', { clock }, oidc.env)).rejects.toThrow(
      /Could not get an id-token from GitHub after \d+ requests?/
    )
    expect(oidc.requests).toBeGreaterThan(0)
    expect(oidc.requests).toBeLessThanOrEqual(ID_TOKEN_BUDGET.maxRequests)
    expect(clock.elapsed()).toBeLessThanOrEqual(ID_TOKEN_BUDGET.maxTotalMs)
  })

  it('returns the token once the endpoint heals', async () => {
    oidc.faults.push({ kind: 'status', status: 502 })
    const token = await fetchIdToken('my-audience', { clock: fakeClock() }, oidc.env)
    expect(token).toBe(oidc.issued.at(-1))
    expect(oidc.requests).toBe(2)
  })
})
