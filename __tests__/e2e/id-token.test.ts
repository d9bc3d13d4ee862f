import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { errorOf, harness, type Harness } from '../helpers.js'

let h: Harness
beforeAll(async () => {
  h = await harness()
})
afterAll(async () => h.sandbox.close())
beforeEach(() => h.sandbox.reset())

const authOnly = { status: 'false', scan: 'false' }

describe('one retry budget for the id-token, counting every request', () => {
  it('an id-token endpoint that keeps answering 503 gets at most 15 requests', async () => {
    for (let i = 0; i < 100; i++) h.sandbox.oidc.faults.push({ kind: 'status', status: 503 })
    const result = await h.run({ inputs: authOnly, timeoutMs: 110000 })
    expect(result.exitCode).toBe(1)
    expect(h.sandbox.oidc.requests).toBe(15)
    expect(errorOf(result)).toMatch(
      /Could not get an id-token from GitHub after 15 requests in \d+ s/
    )
    // The log counts the same requests the endpoint saw.
    expect(result.stdout).toMatch(
      /GitHub id-token request: attempt 14 of 15 failed \(GitHub answered HTTP 503\)/
    )
    expect(result.stdout).not.toMatch(/attempt 15 of 15 failed/)
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
