import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import {
  identifierProblem,
  parseCredential,
  type Credential
} from '../../src/sign-in/credential.js'
import { ActionError } from '../../src/errors.js'

const KEY_LINES = [
  '-----BEGIN PRIVATE KEY-----',
  'MIG2AgEAMBAGByqGSM49AgEGBSuBBAAiBIGeMIGbAgEBBDDkeylinezero0000000',
  'oWQDYgAEkeylinetwo1111111111111111111111111111111111111111111111',
  '-----END PRIVATE KEY-----'
]
const PRIVATE_KEY = `${KEY_LINES.join('\n')}\n`
const TOKEN = 'eyJhbGciOiJFUzM4NCJ9.mondoo-service-account-token.c2ln'

const FIELDS = {
  mrn: '//agents.api.mondoo.app/spaces/my-space-123/serviceaccounts/abc',
  space_mrn: '//captain.api.mondoo.app/spaces/my-space-123',
  api_endpoint: 'https://us.api.mondoo.com',
  private_key: PRIVATE_KEY,
  certificate: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n'
}

function encode(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64')
}

/** Calls parseCredential, recording each masked value and the outcome in order. */
function parse(base64: unknown): {
  masked: string[]
  events: string[]
  result?: Credential
  error?: ActionError
} {
  const masked: string[] = []
  const events: string[] = []
  const mask = (secret: string) => {
    masked.push(secret)
    events.push('mask')
  }
  try {
    const result = parseCredential(base64, mask)
    events.push('return')
    return { masked, events, result }
  } catch (error) {
    events.push('throw')
    expect(error).toBeInstanceOf(ActionError)
    return { masked, events, error: error as ActionError }
  }
}

describe('parseCredential with a key credential', () => {
  it('returns the public parts and every secret to mask', () => {
    const base64 = encode(FIELDS)
    const { result, masked } = parse(base64)
    expect(result).toEqual({
      base64,
      mrn: FIELDS.mrn,
      spaceMrn: FIELDS.space_mrn,
      apiEndpoint: FIELDS.api_endpoint,
      kind: 'key',
      secrets: expect.any(Array)
    })
    for (const secret of [base64, PRIVATE_KEY, ...KEY_LINES]) {
      expect(result?.secrets).toContain(secret)
      expect(masked).toContain(secret)
    }
    expect(masked[0]).toBe(base64)
  })

  it('masks each line of a key with Windows line endings, without the \\r', () => {
    const key = KEY_LINES.join('\r\n')
    const { masked } = parse(encode({ ...FIELDS, private_key: key }))
    for (const line of KEY_LINES) expect(masked).toContain(line)
    expect(masked.filter(s => s !== key).some(s => s.includes('\r'))).toBe(false)
  })
})

describe('parseCredential with a token credential', () => {
  it('accepts a token instead of a key, and masks it', () => {
    const fields = { ...FIELDS, private_key: undefined, certificate: undefined, token: TOKEN }
    const base64 = encode(fields)
    const { result, masked } = parse(base64)
    expect(result?.kind).toBe('token')
    expect(result?.mrn).toBe(FIELDS.mrn)
    expect(masked).toEqual(expect.arrayContaining([base64, TOKEN]))
    expect(result?.secrets).toEqual(expect.arrayContaining([base64, TOKEN]))
  })

  it('prefers the key when both are there, and masks both', () => {
    const { result, masked } = parse(encode({ ...FIELDS, token: TOKEN }))
    expect(result?.kind).toBe('key')
    expect(masked).toEqual(expect.arrayContaining([TOKEN, PRIVATE_KEY, ...KEY_LINES]))
  })
})

describe('parseCredential with a malformed but decodable credential', () => {
  it.each([
    ['no mrn', { ...FIELDS, mrn: undefined }, 'the credential lacks "mrn"'],
    [
      'blank mrn and space_mrn',
      { ...FIELDS, mrn: ' ', space_mrn: '' },
      'the credential lacks "mrn", "space_mrn"'
    ],
    ['no api_endpoint', { ...FIELDS, api_endpoint: null }, 'lacks "api_endpoint"'],
    [
      'a key without certificate',
      { ...FIELDS, certificate: undefined },
      'has neither "private_key" with "certificate" nor "token"'
    ],
    [
      'a key that is not PEM',
      { ...FIELDS, private_key: 'AAAA\nBBBB-not-pem-line\n' },
      '"private_key" is not a PEM private key'
    ]
  ])('with %s: masks the value, the key and each line before it throws', (_, fields, reason) => {
    const base64 = encode(fields)
    const { masked, events, error } = parse(base64)
    expect(events.at(-1)).toBe('throw')
    expect(error?.message).toContain(reason)
    expect(masked[0]).toBe(base64)
    const key = fields.private_key
    if (typeof key === 'string') {
      expect(masked).toContain(key)
      for (const line of key.split('\n').filter(l => l.trim())) expect(masked).toContain(line)
    }
    const secrets = [base64, ...masked]
    for (const secret of secrets) expect(error?.message).not.toContain(secret)
  })

  it('masks a token before complaining about a missing mrn', () => {
    const { masked, error } = parse(encode({ token: TOKEN }))
    expect(error?.message).toContain('lacks "mrn", "space_mrn", "api_endpoint"')
    expect(masked).toContain(TOKEN)
    expect(error?.message).not.toContain(TOKEN)
  })
})

describe('parseCredential with something that is not a credential', () => {
  it.each([
    ['undefined', undefined],
    ['a number', 42],
    ['an object', { mrn: 'x' }],
    ['an empty string', ''],
    ['blanks', '   ']
  ])('refuses %s as missing, with nothing to mask', (_, value) => {
    const { masked, error } = parse(value)
    expect(masked).toEqual([])
    expect(error?.message).toContain('"base64_credential" is missing or empty')
    expect(error?.message).toContain('check "api-endpoint" and retry')
  })

  it.each([
    ['base64url characters', encode(FIELDS).replace(/\+/g, '-').replace(/\//g, '_') + '-_'],
    ['a missing pad', encode(FIELDS).replace(/=+$/, '') + 'A'.repeat(3)],
    ['a line break', `${encode(FIELDS).slice(0, 8)}\n${encode(FIELDS).slice(8)}`],
    ['a space', `AAAA ${encode(FIELDS)}`],
    ['a length that is not a multiple of 4', 'QUJD' + 'QQ']
  ])('refuses a value with %s as not standard base64, after masking it', (_, base64) => {
    const { masked, error } = parse(base64)
    expect(masked).toEqual([base64])
    expect(error?.message).toContain('"base64_credential" is not standard base64')
    expect(error?.message).not.toContain(base64)
  })

  it.each([
    ['not JSON', Buffer.from('mrn=x;key=y').toString('base64'), 'does not decode to JSON'],
    ['a JSON array', encode([FIELDS]), 'the decoded credential is not a JSON object'],
    ['JSON null', encode(null), 'the decoded credential is not a JSON object'],
    ['a JSON string', encode(PRIVATE_KEY), 'the decoded credential is not a JSON object']
  ])('refuses %s, after masking it', (_, base64, reason) => {
    const { masked, error } = parse(base64)
    expect(masked[0]).toBe(base64)
    expect(error?.message).toContain(reason)
    expect(error?.message).not.toContain(base64)
    expect(error?.message).not.toContain('PRIVATE KEY')
  })
})

describe('parseCredential properties', () => {
  // Hex lines cannot appear by chance in the fixed English of the error messages.
  const hexLine = fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 12 })
  const optionalText = fc.option(fc.constantFrom('x', ' ', '', 'value'), { nil: undefined })
  const credential = fc.record({
    mrn: optionalText,
    space_mrn: optionalText,
    api_endpoint: optionalText,
    private_key: fc.option(
      fc
        .tuple(fc.boolean(), fc.array(hexLine, { minLength: 1, maxLength: 4 }))
        .map(([pem, lines]) =>
          pem ? ['-----BEGIN PRIVATE KEY-----', ...lines, '-----END PRIVATE KEY-----'] : lines
        )
        .chain(lines => fc.constantFrom(lines.join('\n'), lines.join('\r\n'))),
      { nil: undefined }
    ),
    certificate: optionalText,
    token: fc.option(hexLine, { nil: undefined })
  })

  it('masks the value, the key, each key line and the token before returning or throwing, and never quotes one', () => {
    fc.assert(
      fc.property(credential, fields => {
        const base64 = encode(fields)
        const { masked, error, result } = parse(base64)
        const secrets = [base64]
        if (fields.private_key !== undefined) {
          secrets.push(fields.private_key, ...fields.private_key.split(/\r?\n/))
        }
        if (fields.token !== undefined) secrets.push(fields.token)
        for (const secret of secrets) {
          expect(masked).toContain(secret)
          if (error) expect(error.message).not.toContain(secret)
        }
        if (result) {
          expect(result.secrets).toEqual(expect.arrayContaining(secrets))
          expect(JSON.stringify({ ...result, base64: '', secrets: [] })).not.toMatch(/[0-9a-f]{12}/)
        }
      }),
      { numRuns: 300 }
    )
  })
})

describe('the credential identifiers that are accepted are inert', () => {
  it('any mrn, space_mrn or api_endpoint that passes has no control character, space or leading "::"', () => {
    const units = fc.constantFrom(
      ...'/:.-_ab1'.split(''),
      '\n',
      '\r',
      '\u001b',
      '\u2028',
      '\u0085',
      ' ',
      '|',
      '<'
    )
    const value = fc.oneof(
      fc.string({ unit: units, maxLength: 40 }),
      fc.string({ unit: units, maxLength: 20 }).map(s => `//agents.api.mondoo.app/spaces/${s}`),
      fc.string({ unit: units, maxLength: 20 }).map(s => `https://us.api.mondoo.com${s}`)
    )
    fc.assert(
      fc.property(fc.constantFrom('mrn', 'space_mrn', 'api_endpoint'), value, (name, text) => {
        if (identifierProblem(name, text) !== null) return
        // eslint-disable-next-line no-control-regex
        expect(text).not.toMatch(/[\s\u0000-\u001f\u007f-\u009f\u2028\u2029|<]/)
        expect(text.startsWith('::')).toBe(false)
      }),
      { numRuns: 1000 }
    )
  })
})
