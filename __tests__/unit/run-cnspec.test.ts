import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { parseInputs, type Config } from '../../src/inputs.js'
import { inputs } from './inputs-fixture.js'
import { cnspecEnv, scanArgs, scanVerdict, statusVerdict } from '../../src/scan/run-cnspec.js'

// The configuration a workflow gets from action.yml's defaults.
const CONFIG: Config = parseInputs(inputs())

const REPORT = 'Asset: runner\n  ✕ Fail: 85 Ensure SSH root login is disabled\nScore: 40/100\n'

describe('statusVerdict', () => {
  it('passes on exit 0', () => {
    expect(statusVerdict(0)).toEqual({
      exitCode: 0,
      ok: true,
      verdict: 'cnspec reached Mondoo and the credential authenticates.'
    })
  })

  it('on exit 78, blames an unreadable credential and suggests a re-run and the proxy', () => {
    const result = statusVerdict(78)
    expect(result.ok).toBe(false)
    expect(result.verdict).toMatch(/^cnspec status exited 78: the credential is invalid/)
    expect(result.verdict).toContain('re-run the job')
    expect(result.verdict).toContain('"api-endpoint"')
  })

  it('on exit 1, points at the provider, its expiry and the region', () => {
    const result = statusVerdict(1)
    expect(result.ok).toBe(false)
    expect(result.verdict).toMatch(/^cnspec status exited 1: Mondoo rejected the credential/)
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

describe('scanVerdict', () => {
  it('passes on exit 0, mentioning the threshold when there is one', () => {
    expect(scanVerdict(0, undefined, REPORT, '')).toEqual({
      exitCode: 0,
      ok: true,
      verdict: 'Scan completed.'
    })
    expect(scanVerdict(0, 80, REPORT, '').verdict).toBe(
      'Scan completed; no risk reached the threshold of 80.'
    )
  })

  it.each([
    ['no stderr', ''],
    ['info and warnings on stderr', '→ discovered assets\n! policy is deprecated\n'],
    ['zerolog default info and warnings', '12:00PM INF discovered\n12:00PM WRN deprecated\n'],
    ['"error" as a word in a message', '12:00PM INF 0 errors, see ERRORS.md\n'],
    ['JSON logs below error', '{"level":"warn","message":"slow"}\n']
  ])('calls exit 1 with a threshold and a report a risk-threshold failure (%s)', (_, stderr) => {
    const result = scanVerdict(1, 80, REPORT, stderr)
    expect(result.ok).toBe(false)
    expect(result.verdict).toMatch(
      /^Scan completed and found risk at or above the risk-threshold of 80: see the report above\./
    )
    expect(result.verdict).toContain('raise "risk-threshold"')
  })

  it.each([
    ['a console FTL line', '12:00PM FTL failed to connect to asset error="no such host"\n'],
    ['a console ERR line', 'x ERR could not load policy bundle\n'],
    ['an ERR line at the start', 'ERR could not resolve asset\n'],
    ['JSON at fatal level', '{"level":"fatal","message":"no provider for docker"}\n'],
    ['JSON at error level', '{"level":"error","message":"boom"}\n'],
    ['logfmt at error level', 'time=now level=error msg="boom"\n']
  ])('calls exit 1 with %s on stderr a failed scan, even with output', (_, stderr) => {
    const result = scanVerdict(1, 80, REPORT, stderr)
    expect(result.ok).toBe(false)
    expect(result.verdict).toMatch(
      /^cnspec scan failed with exit code 1 before it could judge the risk/
    )
    expect(result.verdict).toContain('Check "target" and "args"')
  })

  it('calls exit 1 with a compact "x" error line on stderr a failed scan', () => {
    const stderr =
      '→ discovered 2 assets\nx could not connect to asset error="dial tcp: i/o timeout"\n'
    expect(scanVerdict(1, 80, REPORT, stderr).verdict).toMatch(/^cnspec scan failed /)
  })

  it('calls exit 1 without a report a failed scan', () => {
    expect(scanVerdict(1, 80, ' \n', '').verdict).toMatch(/^cnspec scan failed with exit code 1 /)
  })

  it('calls exit 1 without a risk-threshold a failed scan', () => {
    expect(scanVerdict(1, undefined, REPORT, '').verdict).toMatch(
      /^cnspec scan failed with exit code 1 /
    )
  })

  it.each([2, 78, 137])('calls exit %d a failed scan whatever the output', code => {
    const result = scanVerdict(code, 80, REPORT, '')
    expect(result).toEqual({ exitCode: code, ok: false, verdict: expect.any(String) })
    expect(result.verdict).toMatch(new RegExp(`^cnspec scan failed with exit code ${code} `))
  })
})

describe('scanArgs', () => {
  it('passes target words, -o, --log-level, --risk-threshold, --incognito and args, in that order', () => {
    const config = {
      ...CONFIG,
      target: ['docker', 'image', 'alpine:3.20'],
      output: 'json,nodata',
      logLevel: 'debug',
      riskThreshold: 0,
      args: ['--annotation', 'team=platform ops', '--risk-threshold', '90']
    }
    expect(scanArgs(config, true)).toEqual([
      'scan',
      'docker',
      'image',
      'alpine:3.20',
      '-o',
      'json,nodata',
      '--log-level',
      'debug',
      '--risk-threshold',
      '0',
      '--incognito',
      '--annotation',
      'team=platform ops',
      '--risk-threshold',
      '90'
    ])
  })

  it('leaves out --risk-threshold and --incognito when not asked for', () => {
    expect(scanArgs(CONFIG, false)).toEqual([
      'scan',
      'local',
      '-o',
      'compact',
      '--log-level',
      'info'
    ])
  })

  it('keeps each word whole, whatever characters it holds', () => {
    const config = { ...CONFIG, target: ['k8s', './my manifests; rm -rf /', '$(id)'] }
    expect(scanArgs(config, false).slice(1, 4)).toEqual([
      'k8s',
      './my manifests; rm -rf /',
      '$(id)'
    ])
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
