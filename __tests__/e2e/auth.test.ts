import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { errorOf, harness, maskedValues, type Harness } from '../helpers.js'

let h: Harness
beforeAll(async () => {
  h = await harness()
})
afterAll(async () => h.sandbox.close())
beforeEach(() => h.sandbox.reset())

const authOnly = { status: 'false', scan: 'false' }

describe('keyless sign-in, end to end', () => {
  it('exchanges the id-token, masks the credential, exports it and sets the outputs', async () => {
    const result = await h.run({ inputs: authOnly })
    expect(errorOf(result)).toBe('')
    expect(result.exitCode).toBe(0)
    const [credential] = h.sandbox.sts.issued
    expect(credential).toBeDefined()
    expect(result.exported.MONDOO_CONFIG_BASE64).toBe(credential!.base64)
    expect(result.outputs['service-account-mrn']).toBe(credential!.mrn)
    expect(result.outputs['space-mrn']).toBe('//captain.api.mondoo.app/spaces/sandbox-space-123456')
    expect(result.outputs['api-endpoint']).toBe(h.sandbox.sts.url)
    // Every secret is registered with the runner before anything else could print it.
    const masked = maskedValues(result)
    expect(masked).toContain(credential!.base64)
    for (const line of credential!.privateKey!.split('\n').filter(l => l.length > 16))
      expect(masked).toContain(line)
    expect(masked).toContain(h.sandbox.oidc.issued[0])
    const firstMask = result.stdout.indexOf(`::add-mask::${credential!.base64}`)
    expect(firstMask).toBeLessThan(result.stdout.indexOf('Mondoo credential for'))
    // What reached the STS is what the protocol says.
    expect(h.sandbox.sts.received[0]).toMatchObject({
      audience: '//captain.api.mondoo.app/spaces/sandbox-space-123456',
      issuer_uri: h.sandbox.oidc.issuer
    })
    expect(h.sandbox.sts.received[0]!.headers['content-type']).toBe('application/json')
  })

  it('builds the audience from space-id, and asks GitHub for exactly that audience', async () => {
    const result = await h.run({
      inputs: { ...authOnly, audience: '', 'space-id': 'sandbox-space-123456' }
    })
    expect(result.exitCode).toBe(0)
    const claims = JSON.parse(
      Buffer.from(h.sandbox.oidc.issued.at(-1)!.split('.')[1]!, 'base64url').toString()
    )
    expect(claims.aud).toBe('//captain.api.mondoo.app/spaces/sandbox-space-123456')
  })

  it('keeps the credential to itself when export-credentials is false', async () => {
    const result = await h.run({ inputs: { ...authOnly, 'export-credentials': 'false' } })
    expect(result.exitCode).toBe(0)
    expect(result.exported.MONDOO_CONFIG_BASE64).toBeUndefined()
    expect(result.outputs['service-account-mrn']).toMatch(/serviceaccounts/)
  })

  it('without id-token permission, fails before any request and says how to fix it', async () => {
    const before = h.sandbox.oidc.requests + h.sandbox.sts.exchanges
    const result = await h.run({
      inputs: authOnly,
      env: { ACTIONS_ID_TOKEN_REQUEST_URL: undefined, ACTIONS_ID_TOKEN_REQUEST_TOKEN: undefined }
    })
    expect(result.exitCode).toBe(1)
    expect(errorOf(result)).toMatch(/permissions: id-token: write/)
    expect(errorOf(result)).toMatch(/forks and\s+Dependabot/)
    expect(h.sandbox.oidc.requests + h.sandbox.sts.exchanges).toBe(before)
    expect(result.exported).toEqual({})
    expect(result.outputs).toEqual({})
  })

  it('explains a subject mismatch with the token claims and the Mondoo setting to change', async () => {
    h.sandbox.oidc.options.claims = {
      sub: 'repo:mondoo-sandbox/demo:ref:refs/heads/feature-x',
      ref: 'refs/heads/feature-x'
    }
    const result = await h.run({ inputs: authOnly })
    const error = errorOf(result)
    expect(result.exitCode).toBe(1)
    expect(error).toMatch(/HTTP 403/)
    expect(error).toMatch(/sub\s+repo:mondoo-sandbox\/demo:ref:refs\/heads\/feature-x/)
    expect(error).toMatch(/ref\s+refs\/heads\/feature-x/)
    expect(error).toMatch(
      /job_workflow_ref\s+mondoo-sandbox\/demo\/\.github\/workflows\/scan\.yml@refs\/heads\/main/
    )
    expect(error).toMatch(/Subject equals "repo:mondoo-sandbox\/demo:ref:refs\/heads\/feature-x"/)
    expect(result.exported).toEqual({})
    // The install ran beside the sign-in and worked: the summary says so.
    expect(result.summary).toMatch(/<td>cnspec<\/td><td>[\d.]+ \(downloaded, SHA-256 verified\)/)
    expect(result.summary).toMatch(/<td>Mondoo space<\/td><td>not reached<\/td>/)
  })

  it('explains an issuer mismatch and points at the issuer input', async () => {
    const result = await h.run({
      inputs: { ...authOnly, issuer: 'https://token.actions.githubusercontent.com' }
    })
    const error = errorOf(result)
    expect(result.exitCode).toBe(1)
    expect(error).toMatch(/HTTP 401/)
    expect(error).toMatch(/Issuer URL equals "https:\/\/token\.actions\.githubusercontent\.com"/)
    expect(error).toContain(`the token's iss is "${h.sandbox.oidc.issuer}"`)
  })

  it('rejects an expired id-token with the reason Mondoo gives', async () => {
    h.sandbox.oidc.options.lifetimeSeconds = -60
    const result = await h.run({ inputs: authOnly })
    expect(result.exitCode).toBe(1)
    expect(errorOf(result)).toMatch(/HTTP 401: invalid token: token is expired/)
  })

  it('explains a wrong audience (no provider in that space)', async () => {
    const result = await h.run({
      inputs: { ...authOnly, audience: '//captain.api.mondoo.app/spaces/other-space-1' }
    })
    expect(result.exitCode).toBe(1)
    expect(errorOf(result)).toMatch(/HTTP 404: no workload identity provider for audience/)
    expect(errorOf(result)).toMatch(/aud\s+\/\/captain\.api\.mondoo\.app\/spaces\/other-space-1/)
  })

  it('explains a token minted for another audience', async () => {
    const result = await h.run({
      inputs: { ...authOnly, 'id-token-audience': 'https://github.com/mondoo-sandbox' }
    })
    expect(result.exitCode).toBe(1)
    expect(errorOf(result)).toMatch(/audience does not match/)
    expect(errorOf(result)).toMatch(/aud\s+https:\/\/github\.com\/mondoo-sandbox/)
    expect(errorOf(result)).toContain('leave the input "id-token-audience" empty')
  })

  it('retries an STS 500 and succeeds when it heals', async () => {
    h.sandbox.sts.faults.push({ kind: 'status', status: 500 })
    const result = await h.run({ inputs: authOnly })
    expect(result.exitCode).toBe(0)
    expect(result.stdout).toMatch(
      /Mondoo token exchange: attempt 1 of 6 failed \(Mondoo's STS answered HTTP 500\); retrying in/
    )
  })

  it('gives up on an STS that keeps answering 500, and says where it tried', async () => {
    for (let i = 0; i < 6; i++) h.sandbox.sts.faults.push({ kind: 'status', status: 500 })
    const result = await h.run({ inputs: authOnly })
    expect(result.exitCode).toBe(1)
    expect(errorOf(result)).toMatch(
      /Could not reach Mondoo's Secure Token Service at http:\/\/127\.0\.0\.1:\d+: Mondoo's STS answered HTTP 500/
    )
    expect(h.sandbox.sts.exchanges).toBeGreaterThanOrEqual(6)
  })

  it('recognises an HTML error page from a proxy and does not quote it', async () => {
    h.sandbox.sts.faults.push({
      kind: 'status',
      status: 403,
      contentType: 'text/html',
      body: '<html><body><h1>403 Forbidden</h1><p>Request blocked by corporate proxy</p></body></html>'
    })
    const result = await h.run({ inputs: authOnly })
    expect(result.exitCode).toBe(1)
    expect(errorOf(result)).toMatch(
      /HTTP 403: an HTML page, not Mondoo's JSON: a proxy or load balancer answered/
    )
    expect(errorOf(result)).not.toMatch(/<html>/)
  })

  it.each([
    ['not base64', () => '%%% not base64 %%%', /not standard base64/],
    ['not JSON', () => Buffer.from('hello').toString('base64'), /does not decode to JSON/],
    [
      'no space_mrn',
      (c: { json: string }) =>
        Buffer.from(JSON.stringify({ ...JSON.parse(c.json), space_mrn: undefined })).toString(
          'base64'
        ),
      /lacks "space_mrn"/
    ],
    [
      'no key or token',
      (c: { json: string }) =>
        Buffer.from(JSON.stringify({ ...JSON.parse(c.json), private_key: undefined })).toString(
          'base64'
        ),
      /neither "private_key"/
    ],
    ['empty', () => '', /missing or empty/]
  ])('rejects a malformed credential (%s) without quoting it', async (_name, tamper, message) => {
    h.sandbox.sts.tamper = tamper
    const result = await h.run({ inputs: authOnly })
    expect(result.exitCode).toBe(1)
    expect(errorOf(result)).toMatch(message)
    expect(result.exported).toEqual({})
    expect(result.outputs).toEqual({})
  })

  it('does not quote a token the STS echoes back in its error', async () => {
    h.sandbox.sts.faults.push({ kind: 'echo', status: 400 })
    const result = await h.run({ inputs: authOnly })
    expect(result.exitCode).toBe(1)
    expect(errorOf(result)).toMatch(/HTTP 400: cannot parse request .*"jwt_token":"\[id-token\]"/)
  })
})
