import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { errorOf, harness, type Harness } from '../helpers.js'

let h: Harness
beforeAll(async () => {
  h = await harness()
})
afterAll(async () => h.sandbox.close())
beforeEach(() => h.sandbox.reset())

const authOnly = { status: 'false', scan: 'false' }

describe('without the runner’s command files, nothing is requested and nothing printed', () => {
  it.each([
    ['GITHUB_ENV', 'unset', { GITHUB_ENV: undefined }],
    ['GITHUB_OUTPUT', 'unset', { GITHUB_OUTPUT: undefined }],
    ['GITHUB_ENV', 'a missing file', { GITHUB_ENV: '/nonexistent/cnspec-keyless/env' }]
  ])('refuses when %s is %s', async (name, _how, env) => {
    const result = await h.run({ inputs: authOnly, env })
    expect(result.exitCode).toBe(1)
    expect(errorOf(result)).toContain(name)
    expect(errorOf(result)).toContain('Nothing was requested')
    // The deprecated fallbacks never appear: "::set-env" would carry the credential.
    expect(result.stdout).not.toMatch(/::set-env|::set-output/)
    expect(h.sandbox.oidc.requests).toBe(0)
    expect(h.sandbox.sts.exchanges).toBe(0)
    expect(h.sandbox.releases.requests).toEqual([])
  })

  it('needs no GITHUB_ENV when export-credentials is false', async () => {
    const result = await h.run({
      inputs: { ...authOnly, 'export-credentials': 'false' },
      env: { GITHUB_ENV: undefined }
    })
    expect(errorOf(result)).toBe('')
    expect(result.exitCode).toBe(0)
    expect(result.stdout).not.toMatch(/::set-env/)
    expect(result.outputs['space-mrn']).toBe('//captain.api.mondoo.app/spaces/sandbox-space-123456')
  })
})
