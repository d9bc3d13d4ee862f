import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { errorOf, harness, type Harness } from '../helpers.js'

let h: Harness
beforeAll(async () => {
  h = await harness()
})
afterAll(async () => h.sandbox.close())
beforeEach(() => h.sandbox.reset())

const authOnly = { status: 'false', scan: 'false' }

describe('core.getIDToken, within one budget for the id-token', () => {
  it('an id-token endpoint answering 503 forever gets at most 25 requests within 60 s', async () => {
    for (let i = 0; i < 100; i++) h.sandbox.oidc.faults.push({ kind: 'status', status: 503 })
    const started = Date.now()
    // The real timing of the action, as on a runner.
    const result = await h.run({ inputs: authOnly, production: true, timeoutMs: 90000 })
    const seconds = (Date.now() - started) / 1000
    expect(result.exitCode).toBe(1)
    expect(h.sandbox.oidc.requests).toBeGreaterThan(1)
    expect(h.sandbox.oidc.requests).toBeLessThanOrEqual(25)
    expect(seconds).toBeLessThan(60)
    expect(errorOf(result)).toMatch(
      /^\[cnspec-keyless\] Could not get an id-token from GitHub \(HTTP 503.*\)\. Re-run the job/
    )
    expect(h.sandbox.sts.exchanges).toBe(0)
  }, 120000)

  it('a runner property that is not a URL is named, and not retried as an outage', async () => {
    const result = await h.run({
      inputs: authOnly,
      env: { ACTIONS_ID_TOKEN_REQUEST_URL: 'not-a-url' }
    })
    expect(result.exitCode).toBe(1)
    expect(errorOf(result)).toContain('ACTIONS_ID_TOKEN_REQUEST_URL is not an http(s) URL')
    expect(errorOf(result)).toContain('on-missing-id-token: incognito')
    expect(errorOf(result)).not.toContain('githubstatus')
    expect(result.stdout).not.toMatch(/retrying in/)
  })

  it('without the runner properties (e.g. @github/local-action), says so and how to scan anyway', async () => {
    const result = await h.run({
      inputs: authOnly,
      env: { ACTIONS_ID_TOKEN_REQUEST_URL: undefined, ACTIONS_ID_TOKEN_REQUEST_TOKEN: undefined }
    })
    expect(result.exitCode).toBe(1)
    expect(errorOf(result)).toContain('@github/local-action cannot mint one')
    expect(errorOf(result)).toContain('on-missing-id-token: incognito')
    expect(h.sandbox.oidc.requests).toBe(0)
  })

  it('GitHub refusing outright (HTTP 401) is not retried', async () => {
    h.sandbox.oidc.faults.push({
      kind: 'status',
      status: 401,
      body: '{"message":"Bad credentials"}'
    })
    const result = await h.run({ inputs: authOnly })
    expect(result.exitCode).toBe(1)
    expect(h.sandbox.oidc.requests).toBe(1)
    expect(errorOf(result)).toContain(
      'GitHub refused the id-token request (HTTP 401: Bad credentials)'
    )
  })
})
