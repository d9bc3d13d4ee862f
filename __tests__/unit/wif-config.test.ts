import { describe, expect, it } from '@jest/globals'
import { ActionError } from '../../src/errors.js'
import { parseInputs } from '../../src/inputs.js'
import { fellBackToIncognito } from '../../src/scan/incognito-fallback.js'
import { cnspecEnv } from '../../src/scan/run-cnspec.js'
import {
  buildWifConfig,
  encodeWifConfig,
  parseWifConfig,
  supportsWif
} from '../../src/sign-in/wif-config.js'
import { AUDIENCE, inputs, type InputName } from './inputs-fixture.js'

// What Mondoo's console shows for a workload identity binding, pretty-printed.
const MONDOO_SHAPE = {
  type: 'external_account',
  audience: AUDIENCE,
  issuerUri: 'https://token.actions.githubusercontent.com',
  universeDomain: 'https://eu.api.mondoo.com',
  subjectTokenType: 'urn:ietf:params:oauth:token-type:jwt',
  scopes: ['//iam.api.mondoo.app/roles/agent']
}
const json = (overrides: Record<string, unknown> = {}) =>
  JSON.stringify({ ...MONDOO_SHAPE, ...overrides }, null, 2)

function parseError(raw: string): string {
  try {
    parseWifConfig(raw)
  } catch (error) {
    expect(error).toBeInstanceOf(ActionError)
    return (error as ActionError).message
  }
  throw new Error('parseWifConfig accepted it')
}

function inputError(overrides: Partial<Record<InputName, string>>): string {
  try {
    parseInputs(inputs(overrides))
  } catch (error) {
    expect(error).toBeInstanceOf(ActionError)
    return (error as ActionError).message
  }
  throw new Error('parseInputs accepted it')
}

describe('parseWifConfig', () => {
  it('accepts the configuration Mondoo hands out, as is', () => {
    expect(parseWifConfig(json())).toEqual(MONDOO_SHAPE)
  })

  it('fills in the fields cnspec does not use, and drops unknown ones', () => {
    const bare = { ...MONDOO_SHAPE, subjectTokenType: undefined, scopes: undefined, extra: 'x' }
    expect(parseWifConfig(JSON.stringify(bare))).toEqual(MONDOO_SHAPE)
  })

  it('normalises URLs as every other URL input is', () => {
    expect(
      parseWifConfig(json({ universeDomain: 'https://eu.api.mondoo.com/' })).universeDomain
    ).toBe('https://eu.api.mondoo.com')
  })

  it.each([
    ['{"type": ', /^Input "wif-config" is not JSON \(/],
    ['[]', /must be a JSON object/],
    [
      json({ type: 'service_account' }),
      /field "type" must be "external_account", not "service_account"/
    ],
    [json({ type: undefined }), /field "type" must be "external_account", not "\(missing\)"/],
    [json({ audience: 'my-space-123' }), /field "audience" must look like "\/\/captain/],
    [json({ audience: 42 }), /field "audience" must look like/],
    [json({ issuerUri: undefined }), /field "issuerUri" is missing/],
    [json({ issuerUri: 'token.actions.githubusercontent.com' }), /field "issuerUri" is not a URL/],
    [
      json({ issuerUri: 'http://token.example.com' }),
      /field "issuerUri" uses http:\/\/ to a host that is not a loopback/
    ],
    [
      json({ universeDomain: 'https://user:pw@us.api.mondoo.com' }),
      /field "universeDomain" must not carry a user name/
    ],
    [
      json({ universeDomain: 'https://us.api.mondoo.com/?x=1' }),
      /field "universeDomain" must not have a query/
    ],
    [
      json({ subjectTokenType: 'urn:ietf:params:oauth:token-type:saml2' }),
      /field "subjectTokenType" must be/
    ],
    [json({ scopes: 'agent' }), /field "scopes" must be a list of strings/],
    [json({ jwtToken: 'eyJ.eyJ.sig' }), /field "jwtToken" must not be set/]
  ])('names the bad field: %s', (raw, message) => {
    expect(parseError(raw)).toMatch(message)
  })

  it('never quotes a control character from the input', () => {
    const controls = (text: string) => [...text].filter(ch => ch.charCodeAt(0) < 32)
    expect(controls(parseError('{"type": "\u001b[31m"}'))).toEqual([])
    expect(controls(parseError('{\n\u0007'))).toEqual([])
  })

  it('round-trips through MONDOO_CONFIG_BASE64', () => {
    const config = buildWifConfig({
      audience: AUDIENCE,
      issuerUri: 'https://token.actions.githubusercontent.com',
      universeDomain: 'https://eu.api.mondoo.com'
    })
    expect(config).toEqual(MONDOO_SHAPE)
    expect(JSON.parse(Buffer.from(encodeWifConfig(config), 'base64').toString())).toEqual(config)
  })
})

describe('the inputs of credential-mode wif', () => {
  it('credential-mode defaults to key, and takes wif', () => {
    expect(parseInputs(inputs()).credentialMode).toBe('key')
    expect(parseInputs(inputs({ 'credential-mode': 'wif' })).credentialMode).toBe('wif')
    expect(inputError({ 'credential-mode': 'secretless' })).toBe(
      'Input "credential-mode" must be one of key, wif, not "secretless".'
    )
  })

  it('wif-config implies wif and supplies audience, endpoint and issuer', () => {
    const config = parseInputs(inputs({ audience: '', 'wif-config': json() }))
    expect(config).toMatchObject({
      credentialMode: 'wif',
      audience: AUDIENCE,
      idTokenAudience: AUDIENCE,
      apiEndpoint: 'https://eu.api.mondoo.com',
      issuer: 'https://token.actions.githubusercontent.com',
      wifConfig: MONDOO_SHAPE
    })
  })

  it('accepts api-endpoint left at its default, or equal to the universeDomain', () => {
    for (const endpoint of ['https://us.api.mondoo.com', 'eu', '', 'https://eu.api.mondoo.com/'])
      expect(
        parseInputs(inputs({ audience: '', 'api-endpoint': endpoint, 'wif-config': json() }))
          .apiEndpoint
      ).toBe('https://eu.api.mondoo.com')
  })

  it.each([
    [{ audience: AUDIENCE }, 'Input "audience" cannot be used with "wif-config"'],
    [
      { audience: '', 'space-id': 'my-space-123' },
      'Input "space-id" cannot be used with "wif-config"'
    ],
    [
      { audience: '', issuer: 'https://token.actions.githubusercontent.com' },
      'Input "issuer" cannot be used with "wif-config"'
    ],
    [
      { audience: '', 'api-endpoint': 'https://api.edge.mondoo.com' },
      'Input "api-endpoint" ("https://api.edge.mondoo.com") differs from the universeDomain'
    ],
    [
      { audience: '', 'credential-mode': 'key' },
      'Input "credential-mode" is "key", but "wif-config" is set'
    ]
  ])('refuses wif-config together with %j', (overrides, message) => {
    expect(inputError({ ...overrides, 'wif-config': json() })).toContain(message)
  })

  it('reports a bad wif-config alone, not a missing audience as well', () => {
    expect(inputError({ audience: '', 'wif-config': '{' })).toMatch(
      /^Input "wif-config" is not JSON/
    )
  })

  it('refuses an id-token-audience that cnspec could not use', () => {
    expect(inputError({ 'credential-mode': 'wif', 'id-token-audience': 'mondoo' })).toMatch(
      /^Input "id-token-audience" cannot be used with credential-mode wif/
    )
    expect(
      parseInputs(inputs({ 'credential-mode': 'wif', 'id-token-audience': AUDIENCE }))
        .idTokenAudience
    ).toBe(AUDIENCE)
  })
})

describe('supportsWif', () => {
  it.each([
    ['11.62.0', true],
    ['11.62.3', true],
    ['11.100.0', true],
    ['13.35.2', true],
    ['11.61.9', false],
    ['11.51.0', false],
    ['9.99.99', false]
  ])('%s: %s', (version, ok) => {
    expect(supportsWif(version)).toBe(ok)
  })
})

describe('fellBackToIncognito', () => {
  it('recognises cnspec’s warning, with or without colour and timestamps', () => {
    expect(
      fellBackToIncognito('WRN No credentials provided. Switching to --incognito mode.\n')
    ).toBe(true)
    expect(
      fellBackToIncognito(
        '2026-11-29T15:00:00Z \u001b[31mERR\u001b[0m could not exchange external (wif) token error="x"\n'
      )
    ).toBe(true)
    expect(
      fellBackToIncognito(
        '\u001b[33mWRN\u001b[0m No credentials provided. Switching to \u001b[1m--incognito\u001b[0m mode.'
      )
    ).toBe(true)
  })

  it('ignores an ordinary scan log', () => {
    expect(
      fellBackToIncognito(
        'INF discover assets target="local"\nINF uploaded results to //captain.api.mondoo.app/spaces/x\n'
      )
    ).toBe(false)
    expect(fellBackToIncognito('')).toBe(false)
  })
})

describe('cnspecEnv', () => {
  const SET = {
    ACTIONS_ID_TOKEN_REQUEST_URL: 'https://example.invalid/idtoken?api-version=2.0',
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'request-token',
    ACTIONS_RUNTIME_TOKEN: 'runtime-token',
    JWT_TOKEN: 'left.over.token'
  }

  function withEnv<T>(work: () => T): T {
    const before = { ...process.env }
    Object.assign(process.env, SET)
    try {
      return work()
    } finally {
      for (const key of Object.keys(SET)) {
        if (before[key] === undefined) delete process.env[key]
        else process.env[key] = before[key]
      }
    }
  }

  it('gives cnspec the id-token request variables only in wif mode', () => {
    const key = withEnv(() => cnspecEnv('Y3JlZA=='))
    expect(key).not.toHaveProperty('ACTIONS_ID_TOKEN_REQUEST_URL')
    expect(key).not.toHaveProperty('ACTIONS_ID_TOKEN_REQUEST_TOKEN')
    const wif = withEnv(() => cnspecEnv('Y29uZmln', { idTokenRequest: true }))
    expect(wif.ACTIONS_ID_TOKEN_REQUEST_URL).toBe(SET.ACTIONS_ID_TOKEN_REQUEST_URL)
    expect(wif.ACTIONS_ID_TOKEN_REQUEST_TOKEN).toBe(SET.ACTIONS_ID_TOKEN_REQUEST_TOKEN)
    expect(wif.MONDOO_CONFIG_BASE64).toBe('Y29uZmln')
  })

  it('never passes the runtime token, nor a JWT_TOKEN that would replace the job’s id-token', () => {
    for (const env of [
      withEnv(() => cnspecEnv(undefined)),
      withEnv(() => cnspecEnv('Y29uZmln', { idTokenRequest: true }))
    ]) {
      expect(env).not.toHaveProperty('ACTIONS_RUNTIME_TOKEN')
      expect(env).not.toHaveProperty('JWT_TOKEN')
    }
  })
})
