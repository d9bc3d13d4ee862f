import { afterEach, describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import {
  DEFAULT_POLICY,
  TransientError,
  backoffMs,
  TEST_TIMING,
  parseRetryAfter,
  requestTimeoutMs,
  retryPolicy,
  withRetry,
  type Clock,
  type RetryPolicy
} from '../../src/net/retry.js'

/** A clock whose sleeps only move its own time forward; `random` replays the given values. */
function fakeClock(randoms: number[] = [0.5]): Clock & { sleeps: number[]; time: number } {
  let i = 0
  const clock = {
    time: 1_000_000,
    sleeps: [] as number[],
    now: () => clock.time,
    sleep: async (ms: number) => {
      clock.sleeps.push(ms)
      clock.time += ms
    },
    random: () => randoms[Math.min(i++, randoms.length - 1)] as number
  }
  return clock
}

const POLICY: RetryPolicy = { maxAttempts: 4, baseMs: 1000, capMs: 5000, maxTotalMs: 60000 }

/** A function that fails with the given errors in turn, then returns "ok". */
function failing(...errors: Error[]): {
  fn: (attempt: number) => Promise<string>
  calls: number[]
} {
  const calls: number[] = []
  return {
    calls,
    fn: async attempt => {
      calls.push(attempt)
      const error = errors[calls.length - 1]
      if (error) throw error
      return 'ok'
    }
  }
}

describe('withRetry', () => {
  it('returns the first success without waiting or logging', async () => {
    const clock = fakeClock()
    const log: string[] = []
    const { fn, calls } = failing()
    await expect(
      withRetry('download', fn, { policy: POLICY, clock, log: l => log.push(l) })
    ).resolves.toBe('ok')
    expect(calls).toEqual([1])
    expect(clock.sleeps).toEqual([])
    expect(log).toEqual([])
  })

  it('retries a TransientError, logging the attempt and the wait', async () => {
    const clock = fakeClock([0.5, 0.25])
    const log: string[] = []
    const { fn, calls } = failing(new TransientError('HTTP 503'), new TransientError('ECONNRESET'))
    await expect(
      withRetry('STS exchange', fn, { policy: POLICY, clock, log: l => log.push(l) })
    ).resolves.toBe('ok')
    expect(calls).toEqual([1, 2, 3])
    // Windows of 1 s then 2 s, scaled by the random draws.
    expect(clock.sleeps).toEqual([500, 500])
    expect(log).toEqual([
      'STS exchange: attempt 1 of 4 failed (HTTP 503); retrying in 0.5 s',
      'STS exchange: attempt 2 of 4 failed (ECONNRESET); retrying in 0.5 s'
    ])
  })

  it.each([
    ['an ActionError-like Error', new Error('Input "audience" is wrong')],
    ['a TypeError', new TypeError('x is undefined')],
    ['an HTTP 400 as a plain Error', new Error('HTTP 400: invalid_request')]
  ])('gives up at once on %s', async (_, error) => {
    const clock = fakeClock()
    const log: string[] = []
    const { fn, calls } = failing(error)
    await expect(withRetry('x', fn, { policy: POLICY, clock, log: l => log.push(l) })).rejects.toBe(
      error
    )
    expect(calls).toEqual([1])
    expect(clock.sleeps).toEqual([])
    expect(log).toEqual([])
  })

  it('stops after maxAttempts and throws the last error', async () => {
    const clock = fakeClock([0])
    const errors = [1, 2, 3, 4, 5].map(n => new TransientError(`failure ${n}`))
    const log: string[] = []
    const { fn, calls } = failing(...errors)
    await expect(withRetry('x', fn, { policy: POLICY, clock, log: l => log.push(l) })).rejects.toBe(
      errors[3]
    )
    expect(calls).toEqual([1, 2, 3, 4])
    expect(log).toHaveLength(3)
    expect(log.map(line => /attempt (\d) of 4/.exec(line)?.[1])).toEqual(['1', '2', '3'])
  })

  it('retries transient failures until a permanent one, which it throws at once', async () => {
    const clock = fakeClock([0])
    const permanent = new Error('HTTP 403')
    const { fn, calls } = failing(new TransientError('HTTP 502'), permanent)
    await expect(withRetry('x', fn, { policy: POLICY, clock })).rejects.toBe(permanent)
    expect(calls).toEqual([1, 2])
  })

  it('waits at least the server’s Retry-After, plus jitter over the wider window', async () => {
    const clock = fakeClock([0, 0.5])
    const log: string[] = []
    const { fn } = failing(
      new TransientError('HTTP 429', 7000),
      new TransientError('HTTP 429', 3000)
    )
    await withRetry('x', fn, { policy: POLICY, clock, log: l => log.push(l) })
    // The widest window (5 s) at once, after 7 s and 3 s.
    expect(clock.sleeps).toEqual([7000, 5500])
    expect(log[0]).toContain('retrying in 7.0 s')
    expect(log[1]).toContain('retrying in 5.5 s')
  })

  it('does not start an attempt that would begin after maxTotalMs', async () => {
    const clock = fakeClock([1])
    const policy = { ...POLICY, maxAttempts: 10, capMs: 8000, maxTotalMs: 10000 }
    const last = new TransientError('still down')
    const errors = [new TransientError('a'), new TransientError('b'), new TransientError('c'), last]
    const log: string[] = []
    const { fn, calls } = failing(...errors, new TransientError('never reached'))
    await expect(withRetry('x', fn, { policy, clock, log: l => log.push(l) })).rejects.toBe(last)
    // Waits of 1 + 2 + 4 s reach 7 s; the next wait of 8 s would start attempt 5 at 15 s.
    expect(clock.sleeps).toEqual([1000, 2000, 4000])
    expect(calls).toEqual([1, 2, 3, 4])
    expect(log).toHaveLength(3)
  })

  it('counts time the attempts themselves take against maxTotalMs', async () => {
    const clock = fakeClock([0])
    const policy = { ...POLICY, maxAttempts: 10, capMs: 1000, maxTotalMs: 5000 }
    let calls = 0
    const fn = async () => {
      calls++
      clock.time += 3000 // a slow attempt that times out
      throw new TransientError('timeout')
    }
    await expect(withRetry('x', fn, { policy, clock })).rejects.toThrow('timeout')
    expect(calls).toBe(2)
  })

  it('gives up at once when the Retry-After alone exceeds the time left', async () => {
    const clock = fakeClock([0])
    const error = new TransientError('HTTP 429', 60000)
    const { fn, calls } = failing(error)
    await expect(
      withRetry('x', fn, { policy: { ...POLICY, maxTotalMs: 30000 }, clock })
    ).rejects.toBe(error)
    expect(calls).toEqual([1])
    expect(clock.sleeps).toEqual([])
  })

  it('with the default policy, never waits more than 90 s in all nor tries more than 6 times', async () => {
    const clock = fakeClock([0.999999])
    const { fn, calls } = failing(...Array.from({ length: 10 }, () => new TransientError('down')))
    await expect(withRetry('x', fn, { clock })).rejects.toThrow('down')
    expect(calls.length).toBeLessThanOrEqual(DEFAULT_POLICY.maxAttempts)
    expect(clock.sleeps.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(DEFAULT_POLICY.maxTotalMs)
  })
})

describe('backoffMs', () => {
  it('doubles the window each attempt up to the cap', () => {
    const windows = [1, 2, 3, 4, 5, 6, 7].map(attempt => backoffMs(POLICY, attempt, 1))
    expect(windows).toEqual([1000, 2000, 4000, 5000, 5000, 5000, 5000])
  })

  it('uses full jitter: from 0 up to the window, on top of Retry-After', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.option(fc.integer({ min: 0, max: 60000 }), { nil: undefined }),
        (attempt, random, retryAfter) => {
          const wait = backoffMs(DEFAULT_POLICY, attempt, random, retryAfter)
          const window =
            retryAfter === undefined
              ? Math.min(DEFAULT_POLICY.capMs, DEFAULT_POLICY.baseMs * 2 ** (attempt - 1))
              : DEFAULT_POLICY.capMs
          expect(Number.isInteger(wait)).toBe(true)
          expect(wait).toBeGreaterThanOrEqual(retryAfter ?? 0)
          expect(wait).toBeLessThanOrEqual((retryAfter ?? 0) + window)
        }
      ),
      { numRuns: 300 }
    )
    expect(backoffMs(DEFAULT_POLICY, 1, 0)).toBe(0)
    expect(backoffMs(DEFAULT_POLICY, 3, 0, 2500)).toBe(2500)
  })

  it('spreads the jobs a server turned away (429, Retry-After) over the widest window at once', () => {
    expect(backoffMs(DEFAULT_POLICY, 1, 1)).toBe(1000)
    expect(backoffMs(DEFAULT_POLICY, 1, 1, 0)).toBe(15000)
    expect(backoffMs(DEFAULT_POLICY, 1, 0.5, 1000)).toBe(8500)
    expect(backoffMs(DEFAULT_POLICY, 4, 1, 1000)).toBe(16000)
  })
})

describe('parseRetryAfter', () => {
  const NOW = Date.parse('2025-01-01T00:00:00Z')

  it.each([
    ['0', 0],
    ['5', 5000],
    [' 12 ', 12000],
    ['60', 60000],
    ['3600', 60000],
    [['2', '9'], 2000]
  ] as const)('reads seconds %j as %d ms, capped at a minute', (value, ms) => {
    expect(parseRetryAfter(value as string | string[], NOW)).toBe(ms)
  })

  it('reads an HTTP date relative to now', () => {
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:30 GMT', NOW)).toBe(30000)
    expect(parseRetryAfter('Wed, 01 Jan 2025 01:00:00 GMT', NOW)).toBe(60000)
    expect(parseRetryAfter('Tue, 31 Dec 2024 23:59:00 GMT', NOW)).toBe(0)
  })

  it.each([undefined, '', [], 'soon', 'NaN'])('gives undefined for %j', value => {
    expect(parseRetryAfter(value as string | string[] | undefined, NOW)).toBeUndefined()
  })

  it('never gives a negative or over-a-minute wait, whatever the header', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), value => {
        const ms = parseRetryAfter(value, NOW)
        if (ms !== undefined) {
          expect(ms).toBeGreaterThanOrEqual(0)
          expect(ms).toBeLessThanOrEqual(60000)
        }
      }),
      { numRuns: 300 }
    )
  })
})

describe('the test-only timing knobs', () => {
  const saved = { ...process.env }
  afterEach(() => {
    process.env = { ...saved }
    delete (globalThis as Record<symbol, unknown>)[TEST_TIMING]
  })

  it('are not reachable through the environment: a workflow cannot shorten retries or timeouts', () => {
    process.env.CNSPEC_KEYLESS_TEST_BACKOFF_BASE_MS = '10'
    process.env.CNSPEC_KEYLESS_TEST_TIMEOUT_MS = '1'
    expect(retryPolicy()).toBe(DEFAULT_POLICY)
    expect(requestTimeoutMs()).toBe(30000)
  })

  it('scale the policy down only when the test preload has set them', () => {
    ;(globalThis as Record<symbol, unknown>)[TEST_TIMING] = {
      backoffBaseMs: 10,
      requestTimeoutMs: 1500
    }
    expect(retryPolicy()).toEqual({ ...DEFAULT_POLICY, baseMs: 10, capMs: 150 })
    expect(requestTimeoutMs()).toBe(1500)
    ;(globalThis as Record<symbol, unknown>)[TEST_TIMING] = {
      backoffBaseMs: -5,
      requestTimeoutMs: 'x'
    }
    expect(retryPolicy()).toBe(DEFAULT_POLICY)
    expect(requestTimeoutMs()).toBe(30000)
  })
})
