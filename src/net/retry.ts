/** Time and chance, injectable so that tests of the retry policy take no real time. */
export interface Clock {
  now(): number
  sleep(ms: number): Promise<void>
  random(): number
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: ms => new Promise(resolve => setTimeout(resolve, ms)),
  random: () => Math.random()
}

export interface RetryPolicy {
  /** Attempts in all, the first one included. */
  maxAttempts: number
  /** The first backoff window; it doubles each attempt. */
  baseMs: number
  /** The largest backoff window. */
  capMs: number
  /** No new attempt starts when it would begin later than this after the first one. */
  maxTotalMs: number
}

export const DEFAULT_POLICY: RetryPolicy = {
  maxAttempts: 6,
  baseMs: 1000,
  capMs: 15000,
  maxTotalMs: 90000
}

/** A failure that may heal by itself: a later attempt can succeed. */
export class TransientError extends Error {
  constructor(
    message: string,
    /** The server's Retry-After (0 for a 429 without one): it asked to slow down. */
    readonly retryAfterMs?: number
  ) {
    super(message)
    this.name = 'TransientError'
  }
}

/**
 * The wait before attempt `attempt + 1`: full jitter over an exponential window. A server that
 * asks to slow down (429, Retry-After) is shared by many jobs at once: the wait is its
 * Retry-After plus full jitter over the widest window at once, so that the jobs it turned away
 * come back spread over the time its limit needs to serve them, not in the next second's burst
 * (what keeps requests per job low; see `npm run bench`).
 */
export function backoffMs(
  policy: RetryPolicy,
  attempt: number,
  random: number,
  retryAfterMs?: number
): number {
  const window =
    retryAfterMs === undefined
      ? Math.min(policy.capMs, policy.baseMs * 2 ** (attempt - 1))
      : policy.capMs
  return Math.round((retryAfterMs ?? 0) + random * window)
}

/** Parses Retry-After (seconds or an HTTP date) into milliseconds, capped at a minute. */
export function parseRetryAfter(
  value: string | string[] | undefined,
  now: number
): number | undefined {
  const text = Array.isArray(value) ? value[0] : value
  if (!text) return undefined
  let ms: number
  if (/^\d+$/.test(text.trim())) ms = Number(text.trim()) * 1000
  else {
    const date = Date.parse(text)
    if (Number.isNaN(date)) return undefined
    ms = date - now
  }
  return Math.min(Math.max(ms, 0), 60000)
}

export interface RetryOptions {
  policy?: RetryPolicy
  clock?: Clock
  log?: (line: string) => void
}

/**
 * Runs `fn` until it succeeds, it throws anything but a TransientError, or the policy's
 * attempts or total time run out; then the last error is thrown.
 */
export async function withRetry<T>(
  what: string,
  fn: (attempt: number) => Promise<T>,
  options: RetryOptions = {}
): Promise<T> {
  const policy = options.policy ?? DEFAULT_POLICY
  const clock = options.clock ?? systemClock
  const start = clock.now()
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt)
    } catch (error) {
      if (!(error instanceof TransientError) || attempt >= policy.maxAttempts) throw error
      const wait = backoffMs(policy, attempt, clock.random(), error.retryAfterMs)
      if (clock.now() + wait - start > policy.maxTotalMs) throw error
      options.log?.(
        `${what}: attempt ${attempt} of ${policy.maxAttempts} failed (${error.message}); retrying in ${(wait / 1000).toFixed(1)} s`
      )
      await clock.sleep(wait)
    }
  }
}

/**
 * Shorter waits for the end-to-end tests. Only sandbox/test-timing.mjs sets this, which the
 * test runner preloads with `node --import`; the bundled action never loads it and reads no
 * environment variable for it, so nothing a workflow sets can change the retry behaviour.
 */
export const TEST_TIMING = Symbol.for('cnspec-keyless.test-timing')

interface TestTiming {
  backoffBaseMs?: number
  requestTimeoutMs?: number
}

function testTiming(): TestTiming {
  const timing = (globalThis as Record<symbol, unknown>)[TEST_TIMING]
  return timing && typeof timing === 'object' ? (timing as TestTiming) : {}
}

function positive(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined
}

/** The retry policy: DEFAULT_POLICY, scaled down only under the test preload. */
export function retryPolicy(): RetryPolicy {
  const base = positive(testTiming().backoffBaseMs)
  return base ? { ...DEFAULT_POLICY, baseMs: base, capMs: base * 15 } : DEFAULT_POLICY
}

/** How long one request may stay silent: 30 s, shortened only under the test preload. */
export function requestTimeoutMs(): number {
  return positive(testTiming().requestTimeoutMs) ?? 30000
}
