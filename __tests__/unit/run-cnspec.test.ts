import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { cnspecEnv, statusVerdict } from '../../src/scan/run-cnspec.js'
import { envThresholds, withheldVariables } from '../../src/scan/mondoo-env.js'

describe('statusVerdict', () => {
  it('passes on exit 0', () => {
    expect(statusVerdict(0)).toEqual({
      exitCode: 0,
      ok: true,
      verdict: 'cnspec reached Mondoo and the credential authenticates.'
    })
  })

  it('on exit 78, blames a private key cnspec cannot load and suggests a re-run and the proxy', () => {
    const result = statusVerdict(78)
    expect(result.ok).toBe(false)
    expect(result.verdict).toMatch(
      /^cnspec status exited 78: cnspec could not load the credential's private key/
    )
    expect(result.verdict).toContain('re-run the job')
    expect(result.verdict).toContain('"api-endpoint"')
  })

  it('on exit 1, points at the provider, its expiry and the region', () => {
    const result = statusVerdict(1)
    expect(result.ok).toBe(false)
    expect(result.verdict).toMatch(/^cnspec status exited 1: Mondoo rejected the credential/)
    expect(result.verdict).toContain('cannot decode its configuration')
    expect(result.verdict).toContain('workload identity provider')
    expect(result.verdict).toContain('expiration')
    expect(result.verdict).toContain('(us or eu)')
  })

  it.each([2, 3, 127, 137, -1])('calls exit %d unexpected', code => {
    expect(statusVerdict(code)).toEqual({
      exitCode: code,
      ok: false,
      verdict: `cnspec status exited ${code} (unexpected); see cnspec's messages above.`
    })
  })
})

describe('cnspecEnv', () => {
  it('adds the credential to the runner’s environment, or removes a stale one', () => {
    const before = process.env.MONDOO_CONFIG_BASE64
    process.env.MONDOO_CONFIG_BASE64 = 'stale'
    try {
      const withCredential = cnspecEnv('ZnJlc2g=')
      expect(withCredential.MONDOO_CONFIG_BASE64).toBe('ZnJlc2g=')
      expect(withCredential.PATH).toBe(process.env.PATH)
      expect(cnspecEnv(undefined)).not.toHaveProperty('MONDOO_CONFIG_BASE64')
      expect(process.env.MONDOO_CONFIG_BASE64).toBe('stale')
    } finally {
      if (before === undefined) delete process.env.MONDOO_CONFIG_BASE64
      else process.env.MONDOO_CONFIG_BASE64 = before
    }
  })
})

describe('cnspecEnv keeps GitHub access away from cnspec', () => {
  const GRANTS = {
    ACTIONS_ID_TOKEN_REQUEST_URL: 'https://token.example/?x=1',
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'request-token',
    ACTIONS_RUNTIME_TOKEN: 'runtime-token',
    ACTIONS_RUNTIME_URL: 'https://runtime.example/',
    ACTIONS_CACHE_URL: 'https://cache.example/',
    ACTIONS_RESULTS_URL: 'https://results.example/',
    GITHUB_TOKEN: 'ghs_example'
  }
  let saved: Record<string, string | undefined>
  beforeEach(() => {
    saved = Object.fromEntries(Object.keys(GRANTS).map(k => [k, process.env[k]]))
    Object.assign(process.env, GRANTS)
  })
  afterEach(() => {
    for (const [k, v] of Object.entries(saved))
      if (v === undefined) delete process.env[k]
      else process.env[k] = v
  })

  it('drops every id-token, runtime, cache, results variable and GITHUB_TOKEN by default', () => {
    const env = cnspecEnv('Y3JlZA==')
    for (const name of Object.keys(GRANTS)) expect(env).not.toHaveProperty(name)
    expect(env.PATH).toBe(process.env.PATH)
  })

  it('keeps the id-token request variables only for a mode that asks for them', () => {
    const env = cnspecEnv(undefined, { idTokenRequest: true })
    expect(env.ACTIONS_ID_TOKEN_REQUEST_URL).toBe(GRANTS.ACTIONS_ID_TOKEN_REQUEST_URL)
    expect(env.ACTIONS_ID_TOKEN_REQUEST_TOKEN).toBe(GRANTS.ACTIONS_ID_TOKEN_REQUEST_TOKEN)
    expect(env).not.toHaveProperty('ACTIONS_RUNTIME_TOKEN')
    expect(env).not.toHaveProperty('GITHUB_TOKEN')
  })

  it('keeps GITHUB_TOKEN only when asked (a github target)', () => {
    expect(cnspecEnv(undefined, { githubToken: true }).GITHUB_TOKEN).toBe(GRANTS.GITHUB_TOKEN)
    expect(cnspecEnv(undefined, { githubToken: true })).not.toHaveProperty(
      'ACTIONS_ID_TOKEN_REQUEST_TOKEN'
    )
  })
})

describe('cnspecEnv and the MONDOO_* variables of the job', () => {
  const JOB = {
    MONDOO_API_ENDPOINT: 'https://attacker.example',
    MONDOO_PRIVATE_KEY: 'x',
    mondoo_mrn: '//agents.api.mondoo.app/spaces/other/serviceaccounts/x',
    MONDOO_ISSUERURI: 'https://other.example',
    MONDOO_JSON: 'true',
    MONDOO_AUTO_UPDATE_ENGINE: 'true',
    MONDOO_UPDATES_URL: 'https://elsewhere.example',
    MONDOO_LOG_LEVEL: 'debug',
    MONDOO_RISK_THRESHOLD: '30'
  }
  let saved: Record<string, string | undefined>
  beforeEach(() => {
    saved = Object.fromEntries(Object.keys(JOB).map(k => [k, process.env[k]]))
    Object.assign(process.env, JOB)
  })
  afterEach(() => {
    for (const [k, v] of Object.entries(saved))
      if (v === undefined) delete process.env[k]
      else process.env[k] = v
  })

  it('withholds what would choose the credential or its endpoint, whatever the case', () => {
    const env = cnspecEnv('Y3JlZA==', { updatesUrl: 'https://mirror.example' })
    for (const name of [
      'MONDOO_API_ENDPOINT',
      'MONDOO_PRIVATE_KEY',
      'mondoo_mrn',
      'MONDOO_ISSUERURI',
      'MONDOO_JSON'
    ])
      expect(env).not.toHaveProperty(name)
    expect(withheldVariables()).toEqual([
      'MONDOO_API_ENDPOINT',
      'MONDOO_ISSUERURI',
      'MONDOO_JSON',
      'MONDOO_PRIVATE_KEY',
      'mondoo_mrn'
    ])
  })

  it('pins the engine, never turns off provider installs, and points cnspec at the mirror', () => {
    const env = cnspecEnv(undefined, { updatesUrl: 'https://mirror.example' })
    expect(env.MONDOO_AUTO_UPDATE_ENGINE).toBe('false')
    expect(env).not.toHaveProperty('MONDOO_AUTO_UPDATE')
    expect(env.MONDOO_UPDATES_URL).toBe('https://mirror.example')
  })

  it('passes the rest through, the thresholds the judge reads included', () => {
    const env = cnspecEnv(undefined)
    expect(env.MONDOO_LOG_LEVEL).toBe('debug')
    expect(env.MONDOO_RISK_THRESHOLD).toBe('30')
  })
})

describe('envThresholds', () => {
  it('reads plain whole numbers', () => {
    expect(envThresholds({ MONDOO_RISK_THRESHOLD: '30', MONDOO_SCORE_THRESHOLD: '0' })).toEqual({
      thresholds: { risk: 30, score: 0 },
      problems: []
    })
  })

  it.each(['abc', ' 30', '030', '3.5', '-1', '1e2', '1000'])(
    'refuses %p, which cnspec would read differently, naming the variable',
    value => {
      const { thresholds, problems } = envThresholds({ MONDOO_RISK_THRESHOLD: value })
      expect(thresholds).toEqual({})
      expect(problems).toHaveLength(1)
      expect(problems[0]).toContain('MONDOO_RISK_THRESHOLD')
      expect(problems[0]).toContain('Set a whole number from 0 to 100, or remove it.')
    }
  )
})
