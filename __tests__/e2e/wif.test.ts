import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { spawn } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { findLeaks, issuedMaterial } from '../../sandbox/leaks.js'
import { STANDIN_PATH } from '../../sandbox/releases.js'
import type { RunResult } from '../../sandbox/runner.js'
import { SPACE_ID } from '../../sandbox/start.js'
import {
  callLog,
  cnspecCalls,
  errorOf,
  harness,
  maskedValues,
  warningsOf,
  type Harness
} from '../helpers.js'
import { tempDir } from '../../sandbox/runner.js'

let h: Harness
beforeAll(async () => {
  const base = await harness()
  // cnspec's 2 s limit on its id-token request is real, but this suite shares two cores with
  // others: give the stand-in's request time, so that only the faults a test sets can fail it.
  h = {
    ...base,
    run: (options = {}) =>
      base.run({ ...options, env: { CNSPEC_STANDIN_PROBE_MS: '30000', ...options.env } })
  }
})
afterAll(async () => h.sandbox.close())
beforeEach(() => h.sandbox.reset())

const AUDIENCE = `//captain.api.mondoo.app/spaces/${SPACE_ID}`
const WIF = { 'credential-mode': 'wif' }

/** Who made each exchange the STS saw: cnspec (its own) or the action. */
function exchangers(): string[] {
  return h.sandbox.sts.received.map(r =>
    String(r.headers['user-agent']).startsWith('cnspec/') ? 'cnspec' : 'action'
  )
}

/**
 * The sweep for wif mode: nothing the STS issued (private key, certificate, token, the whole
 * credential) and no id-token or runner request token shows anywhere, GITHUB_ENV included.
 */
function expectNothingIssuedVisible(result: RunResult): void {
  const secrets = [...h.sandbox.secrets(), ...issuedMaterial(h.sandbox.sts)]
  expect(findLeaks(result, secrets, { withExport: true })).toEqual([])
}

function decodedExport(result: RunResult): Record<string, unknown> {
  return JSON.parse(Buffer.from(result.exported.MONDOO_CONFIG_BASE64!, 'base64').toString('utf8'))
}

function wifConfig(overrides: Record<string, unknown> = {}): string {
  return JSON.stringify(
    {
      type: 'external_account',
      audience: AUDIENCE,
      issuerUri: h.sandbox.oidc.issuer,
      universeDomain: h.sandbox.sts.url,
      subjectTokenType: 'urn:ietf:params:oauth:token-type:jwt',
      scopes: ['//iam.api.mondoo.app/roles/agent'],
      ...overrides
    },
    null,
    2
  )
}

describe('credential-mode: wif, end to end', () => {
  it('exports only a configuration; cnspec status and scan each exchange on their own', async () => {
    const log = callLog()
    const result = await h.run({ inputs: WIF, env: { CNSPEC_STANDIN_LOG: log } })
    expect(errorOf(result)).toBe('')
    expect(result.exitCode).toBe(0)

    // One exchange per cnspec process, none by the action.
    expect(exchangers()).toEqual(['cnspec', 'cnspec'])
    expect(h.sandbox.sts.issued).toHaveLength(2)
    expect(h.sandbox.sts.received.every(r => r.audience === AUDIENCE)).toBe(true)
    // GitHub: one token for the issuer (never exchanged), one per cnspec process.
    expect(h.sandbox.oidc.requests).toBe(3)
    // cnspec asked GitHub for the Mondoo audience itself.
    const auds = h.sandbox.oidc.issued.map(
      jwt => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()).aud
    )
    expect(auds).toEqual([AUDIENCE, AUDIENCE, AUDIENCE])

    expect(decodedExport(result)).toEqual({
      type: 'external_account',
      audience: AUDIENCE,
      issuerUri: h.sandbox.oidc.issuer,
      universeDomain: h.sandbox.sts.url,
      subjectTokenType: 'urn:ietf:params:oauth:token-type:jwt',
      scopes: ['//iam.api.mondoo.app/roles/agent']
    })
    // Not secret, so not masked (a masked value would hide every mention of the space).
    expect(maskedValues(result)).not.toContain(result.exported.MONDOO_CONFIG_BASE64)
    expect(result.outputs['space-mrn']).toBe(AUDIENCE)
    expect(result.outputs['api-endpoint']).toBe(h.sandbox.sts.url)
    expect(result.outputs['service-account-mrn']).toBeUndefined()

    const calls = cnspecCalls(log).filter(c => c.argv[0] !== 'version')
    expect(calls.map(c => c.argv[0])).toEqual(['status', 'scan'])
    for (const call of calls) expect(call).toMatchObject({ credential: true, idTokenRequest: true })
    expect(result.stdout).toContain(`uploaded results to ${AUDIENCE}`)
    expectNothingIssuedVisible(result)
  })

  it('in key mode, by contrast, the action exchanges once and cnspec cannot request a token', async () => {
    const log = callLog()
    const result = await h.run({ env: { CNSPEC_STANDIN_LOG: log } })
    expect(errorOf(result)).toBe('')
    expect(result.exitCode).toBe(0)
    expect(exchangers()).toEqual(['action'])
    const calls = cnspecCalls(log).filter(c => c.argv[0] !== 'version')
    for (const call of calls)
      expect(call).toMatchObject({ credential: true, idTokenRequest: false })
  })

  it('holds the leak sweep with debug logging on, and shows the configuration in the debug log', async () => {
    const result = await h.run({
      inputs: { ...WIF, 'log-level': 'debug' },
      env: { ACTIONS_STEP_DEBUG: 'true', RUNNER_DEBUG: '1' }
    })
    expect(errorOf(result)).toBe('')
    expect(result.exitCode).toBe(0)
    expect(result.stdout).toMatch(
      /::debug::workload identity configuration \(not secret\): \{"type":"external_account"/
    )
    expectNothingIssuedVisible(result)
  })

  it('a binding that refuses the scan’s own exchange fails the step instead of scanning incognito', async () => {
    h.sandbox.sts.rejectAfter = 1
    const result = await h.run({ inputs: WIF })
    const error = errorOf(result)
    expect(result.exitCode).toBe(1)
    // cnspec itself fell back and said so only as a warning.
    expect(result.stdout).toContain('No credentials provided. Switching to --incognito mode.')
    expect(result.stdout).toContain('incognito mode: results were not uploaded')
    expect(error).toMatch(
      /cnspec scan could not exchange the job's id-token and fell back to an incognito scan: its results were not uploaded to Mondoo, although cnspec status had exchanged successfully/
    )
    // The action's own exchange brings Mondoo's reason and the claims.
    expect(error).toMatch(/HTTP 403: permission denied: the workload identity binding has expired/)
    expect(error).toMatch(/sub\s+repo:mondoo-sandbox\/demo:ref:refs\/heads\/main/)
    expect(error).toMatch(/the id-token request failed/)
    expect(error).toMatch(/binding's expiration passed/)
    expect(error).toMatch(/limited the rate/)
    expect(exchangers()).toEqual(['cnspec', 'cnspec', 'action'])
    expect(result.outputs['scan-exit-code']).toBe('0')
    expect(result.summary).toContain('scanned in incognito: nothing uploaded')
    expectNothingIssuedVisible(result)
  })

  it('with status off, a refused scan exchange still fails the step', async () => {
    h.sandbox.sts.rejectAfter = 0
    const result = await h.run({ inputs: { ...WIF, status: 'false' } })
    expect(result.exitCode).toBe(1)
    expect(errorOf(result)).toMatch(/fell back to an incognito scan/)
    expect(errorOf(result)).not.toMatch(/although cnspec status/)
    expect(exchangers()).toEqual(['cnspec', 'action'])
  })

  it('explains a refused status exchange with the claims, as key mode does, and exports nothing', async () => {
    h.sandbox.oidc.options.claims = {
      sub: 'repo:mondoo-sandbox/demo:ref:refs/heads/feature-x',
      ref: 'refs/heads/feature-x'
    }
    const log = callLog()
    const result = await h.run({ inputs: WIF, env: { CNSPEC_STANDIN_LOG: log } })
    const error = errorOf(result)
    expect(result.exitCode).toBe(1)
    expect(error).toMatch(/cnspec status could not exchange the job's id-token/)
    expect(error).toMatch(/HTTP 403/)
    expect(error).toMatch(/Subject equals "repo:mondoo-sandbox\/demo:ref:refs\/heads\/feature-x"/)
    expect(exchangers()).toEqual(['cnspec', 'action'])
    expect(result.exported).toEqual({})
    expect(cnspecCalls(log).map(c => c.argv[0])).not.toContain('scan')
    // Mondoo refused the action too: its answer is the reason, not cnspec's reach.
    expect(error).not.toMatch(/It succeeded|can reach ACTIONS_ID_TOKEN_REQUEST_URL/)
  })

  it("a status exchange that failed in cnspec's process alone says so, and where to look", async () => {
    // With "issuer" set the action requests no id-token itself: the first request is cnspec's.
    h.sandbox.oidc.faults.push({ kind: 'status', status: 500 })
    const result = await h.run({ inputs: { ...WIF, issuer: h.sandbox.oidc.issuer } })
    const error = errorOf(result)
    expect(result.exitCode).toBe(1)
    expect(error).toMatch(/cnspec status could not exchange the job's id-token/)
    expect(error).toContain(
      "It succeeded, so the binding accepts this job's id-token now: the failure was in cnspec's own process."
    )
    expect(error).toMatch(/Check that cnspec can reach ACTIONS_ID_TOKEN_REQUEST_URL/)
    expect(exchangers()).toEqual(['action'])
    expect(result.exported).toEqual({})
    expectNothingIssuedVisible(result)
  })

  it('takes wif-config as Mondoo shows it: no token request by the action, nothing else needed', async () => {
    const result = await h.run({
      inputs: {
        audience: '',
        'api-endpoint': 'https://us.api.mondoo.com',
        'wif-config': wifConfig()
      }
    })
    expect(errorOf(result)).toBe('')
    expect(result.exitCode).toBe(0)
    expect(exchangers()).toEqual(['cnspec', 'cnspec'])
    expect(h.sandbox.oidc.requests).toBe(2)
    expect(decodedExport(result)).toMatchObject({
      audience: AUDIENCE,
      issuerUri: h.sandbox.oidc.issuer,
      universeDomain: h.sandbox.sts.url
    })
    expectNothingIssuedVisible(result)
  })

  it.each([
    [{ issuerUri: 'http://token.example.com' }, /field "issuerUri" uses http:\/\/ to a host/],
    [{ universeDomain: 'ftp://us.api.mondoo.com' }, /field "universeDomain" uses "ftp:"/],
    [{ audience: 'my-space' }, /field "audience" must look like/],
    [{ type: 'service_account' }, /field "type" must be "external_account"/],
    [{ jwtToken: 'eyJhbGciOi.x.y' }, /field "jwtToken" must not be set/]
  ])('names the bad field of wif-config (%j) and changes nothing', async (bad, message) => {
    const result = await h.run({ inputs: { audience: '', 'wif-config': wifConfig(bad) } })
    expect(result.exitCode).toBe(1)
    expect(errorOf(result)).toMatch(/^\[cnspec-keyless\] Input "wif-config" field/)
    expect(errorOf(result)).toMatch(message)
    expect(h.sandbox.oidc.requests + h.sandbox.sts.exchanges).toBe(0)
    expect(h.sandbox.releases.requests).toEqual([])
    expect(result.exported).toEqual({})
  })

  it('refuses wif-config next to audience, and next to a different api-endpoint', async () => {
    const result = await h.run({
      inputs: { 'wif-config': wifConfig(), 'api-endpoint': 'eu' }
    })
    expect(result.exitCode).toBe(1)
    expect(errorOf(result)).toMatch(/^\[cnspec-keyless\] 2 inputs need fixing/)
    expect(errorOf(result)).toMatch(/Input "audience" cannot be used with "wif-config"/)
    expect(errorOf(result)).toMatch(
      /Input "api-endpoint" \("https:\/\/eu\.api\.mondoo\.com"\) differs from the universeDomain/
    )
    expect(h.sandbox.releases.requests).toEqual([])
  })

  it('an old cnspec fails before any token request or scan, naming the version it needs', async () => {
    const log = callLog()
    const result = await h.run({
      inputs: { ...WIF, 'cnspec-version': '11.61.0' },
      env: { CNSPEC_STANDIN_LOG: log }
    })
    expect(result.exitCode).toBe(1)
    expect(errorOf(result)).toMatch(
      /credential-mode wif needs cnspec 11\.62\.0 or newer .* this job has cnspec 11\.61\.0\. Set the input "cnspec-version"/
    )
    expect(h.sandbox.oidc.requests + h.sandbox.sts.exchanges).toBe(0)
    expect(cnspecCalls(log).map(c => c.argv[0])).toEqual(['version'])
    expect(result.exported).toEqual({})
    // cnspec was installed: the summary says which, though nothing else ran.
    expect(result.summary).toMatch(/<td>cnspec<\/td><td>11\.61\.0 \(downloaded, SHA-256 verified\)/)
  })

  it('11.62.0, the floor, runs', async () => {
    const result = await h.run({ inputs: { ...WIF, 'cnspec-version': '11.62.0' } })
    expect(errorOf(result)).toBe('')
    expect(result.exitCode).toBe(0)
    expect(exchangers()).toEqual(['cnspec', 'cnspec'])
  })

  describe('GitHub Enterprise Server: an issuer cnspec finds no id-token for', () => {
    const GHES = 'https://ghes.example.com/_services/token'
    const refusal = (issuer: string) =>
      `credential-mode wif cannot work with the issuer "${issuer}": cnspec requests the job's id-token itself, ` +
      "and newer releases do so only for GitHub.com's issuer (https://token.actions.githubusercontent.com)"

    it.each([
      ['the issuer input', (): Record<string, string> => ({ ...WIF, issuer: GHES })],
      ['wif-config', () => ({ audience: '', 'wif-config': wifConfig({ issuerUri: GHES }) })]
    ])('named by %s: refused before any request, saying to use key mode', async (_, inputs) => {
      const log = callLog()
      const result = await h.run({
        inputs: inputs(),
        env: { CNSPEC_STANDIN_LOG: log }
      })
      expect(result.exitCode).toBe(1)
      const error = errorOf(result)
      expect(error).toContain(refusal(GHES))
      expect(error).toContain('Use "credential-mode: key" on GitHub Enterprise Server')
      expect(error).toContain('Which cnspec release made that change is not known')
      expect(h.sandbox.oidc.requests + h.sandbox.sts.exchanges).toBe(0)
      expect(h.sandbox.releases.requests).toEqual([])
      expect(cnspecCalls(log)).toEqual([])
      expect(result.exported).toEqual({})
    })

    it("read from the id-token's iss: refused before anything reaches Mondoo", async () => {
      h.sandbox.oidc.options.claims = { iss: GHES }
      const log = callLog()
      const result = await h.run({ inputs: WIF, env: { CNSPEC_STANDIN_LOG: log } })
      expect(result.exitCode).toBe(1)
      expect(errorOf(result)).toContain(refusal(GHES))
      // The one request was the action's own, for the issuer; nothing was exchanged.
      expect(h.sandbox.oidc.requests).toBe(1)
      expect(h.sandbox.sts.exchanges).toBe(0)
      expect(cnspecCalls(log).map(c => c.argv[0])).toEqual(['version'])
      expect(errorOf(result)).not.toContain("cnspec's own process")
    })
  })

  it('without an id-token, on-missing-id-token: incognito still scans incognito', async () => {
    const result = await h.run({
      inputs: { ...WIF, 'on-missing-id-token': 'incognito' },
      env: { ACTIONS_ID_TOKEN_REQUEST_URL: undefined, ACTIONS_ID_TOKEN_REQUEST_TOKEN: undefined }
    })
    expect(result.exitCode).toBe(0)
    expect(warningsOf(result)).toHaveLength(1)
    expect(h.sandbox.sts.exchanges).toBe(0)
    expect(result.exported).toEqual({})
  })
})

describe('the cnspec stand-in reads a wif configuration as cnspec does', () => {
  const dir = tempDir('cnspec-standin')

  /** Runs `cnspec status` of the given version with only the environment given. */
  function status(version: string, env: Record<string, string>) {
    const binary = join(dir, `cnspec-${version}.mjs`)
    writeFileSync(binary, readFileSync(STANDIN_PATH, 'utf8').replace('__VERSION__', version))
    return new Promise<{ code: number | null; stderr: string }>(resolve => {
      const child = spawn(process.execPath, [binary, 'status'], {
        // As the action runs it: the engine pinned.
        env: { PATH: process.env.PATH, MONDOO_AUTO_UPDATE_ENGINE: 'false', ...env }
      })
      let stderr = ''
      child.stderr.setEncoding('utf8')
      child.stderr.on('data', chunk => (stderr += chunk))
      child.on('close', code => resolve({ code, stderr }))
    })
  }

  const config = (extra: Record<string, string> = {}) =>
    Buffer.from(
      JSON.stringify({
        type: 'external_account',
        audience: AUDIENCE,
        issuerUri: h.sandbox.oidc.issuer,
        universeDomain: h.sandbox.sts.url,
        ...extra
      })
    ).toString('base64')

  async function githubToken(): Promise<string> {
    const { ACTIONS_ID_TOKEN_REQUEST_URL: url, ACTIONS_ID_TOKEN_REQUEST_TOKEN: bearer } =
      h.sandbox.oidc.env
    const res = await fetch(`${url}&audience=${encodeURIComponent(AUDIENCE)}`, {
      headers: { Authorization: `Bearer ${bearer}` }
    })
    return ((await res.json()) as { value: string }).value
  }

  it('takes the configuration’s jwtToken first, before asking GitHub', async () => {
    const jwt = await githubToken()
    const requests = h.sandbox.oidc.requests
    const result = await status('13.35.2', {
      ...h.sandbox.oidc.env,
      MONDOO_CONFIG_BASE64: config({ jwtToken: jwt })
    })
    expect(result.code).toBe(0)
    expect(h.sandbox.oidc.requests).toBe(requests)
  })

  it('takes JWT_TOKEN next, since 11.61 only', async () => {
    const jwt = await githubToken()
    const env = { MONDOO_CONFIG_BASE64: config(), JWT_TOKEN: jwt }
    expect((await status('11.61.0', env)).code).toBe(0)
    const old = await status('11.60.0', env)
    expect(old.code).toBe(1)
    expect(old.stderr).toContain('could not exchange external (wif) token')
    expect(old.stderr).toContain('client is not registered')
  })

  it('asks GitHub with the bearer request token otherwise, and exchanges', async () => {
    const before = h.sandbox.oidc.requests
    const result = await status('11.62.0', {
      ...h.sandbox.oidc.env,
      MONDOO_CONFIG_BASE64: config()
    })
    expect(result.code).toBe(0)
    expect(h.sandbox.oidc.requests).toBe(before + 1)
    expect(h.sandbox.sts.received.at(-1)!.headers['user-agent']).toBe('cnspec/11.62.0')
  })

  it('does not know the configuration before 11.51: no service account, not registered, exit 1', async () => {
    const result = await status('11.50.0', {
      ...h.sandbox.oidc.env,
      MONDOO_CONFIG_BASE64: config()
    })
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('client is not registered')
  })

  it("finds no id-token for an issuer other than GitHub.com's (GitHub Enterprise Server)", async () => {
    const before = h.sandbox.oidc.requests
    const result = await status('13.35.2', {
      ...h.sandbox.oidc.env,
      MONDOO_CONFIG_BASE64: config({ issuerUri: 'https://ghes.example.com/_services/token' })
    })
    expect(result.code).toBe(1)
    expect(result.stderr).toContain(
      'issuer https://ghes.example.com/_services/token not supported yet'
    )
    expect(h.sandbox.oidc.requests).toBe(before)
  })

  it('the action drops a JWT_TOKEN left by an earlier step, which cnspec would prefer', async () => {
    const result = await h.run({ inputs: WIF, env: { JWT_TOKEN: 'eyJhbGciOiJub25lIn0.e30.x' } })
    expect(errorOf(result)).toBe('')
    expect(exchangers()).toEqual(['cnspec', 'cnspec'])
  })
})
