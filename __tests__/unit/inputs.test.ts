import { describe, expect, it } from '@jest/globals'
import { ActionError } from '../../src/errors.js'
import { parseInputs, parseVersion, type Config } from '../../src/inputs.js'
import { AUDIENCE, DEFAULTS, INPUT_NAMES, inputs, type InputName } from './inputs-fixture.js'

/** The error parseInputs throws for these inputs; fails the test when it returns instead. */
function failure(overrides: Partial<Record<InputName, string>>): ActionError {
  try {
    parseInputs(inputs(overrides))
  } catch (error) {
    expect(error).toBeInstanceOf(ActionError)
    return error as ActionError
  }
  throw new Error(`parseInputs accepted ${JSON.stringify(overrides).slice(0, 200)}`)
}

function config(overrides: Partial<Record<InputName, string>>): Config {
  return parseInputs(inputs(overrides))
}

describe('parseInputs with the defaults of action.yml', () => {
  it('gives the documented behaviour', () => {
    expect(config({})).toEqual({
      audience: AUDIENCE,
      idTokenAudience: AUDIENCE,
      apiEndpoint: 'https://us.api.mondoo.com',
      issuer: undefined,
      exportCredentials: true,
      onMissingIdToken: 'fail',
      cnspecVersion: 'latest',
      releasesUrl: 'https://releases.mondoo.com',
      status: true,
      scan: true,
      target: ['local'],
      args: [],
      output: 'compact',
      riskThreshold: undefined,
      envThresholds: {},
      logLevel: 'info',
      credentialMode: 'key',
      wifConfig: undefined
    })
  })

  it('falls back to the same defaults when every optional input is empty', () => {
    const empty = Object.fromEntries(Object.keys(DEFAULTS).map(name => [name, '']))
    expect(parseInputs(inputs({ ...empty, audience: AUDIENCE }))).toEqual(config({}))
  })
})

describe('audience and space-id', () => {
  it.each([
    ['an audience', { audience: AUDIENCE }, AUDIENCE],
    ['an audience with spaces around it', { audience: `  ${AUDIENCE}  ` }, AUDIENCE],
    [
      'an audience on another Mondoo host',
      { audience: '//captain.api.edge.mondoo.app/spaces/x1' },
      '//captain.api.edge.mondoo.app/spaces/x1'
    ],
    ['a space ID alone', { audience: '', 'space-id': 'my-space-123' }, AUDIENCE],
    ['a space MRN alone', { audience: '', 'space-id': AUDIENCE }, AUDIENCE],
    ['the same audience twice', { audience: AUDIENCE, 'space-id': 'my-space-123' }, AUDIENCE],
    ['the same MRN twice', { audience: AUDIENCE, 'space-id': AUDIENCE }, AUDIENCE]
  ])('accepts %s', (_, overrides, audience) => {
    const result = config(overrides)
    expect(result.audience).toBe(audience)
    expect(result.idTokenAudience).toBe(audience)
  })

  it('asks GitHub for a different aud when id-token-audience is set', () => {
    const result = config({ 'id-token-audience': 'sts.example.com' })
    expect(result.audience).toBe(AUDIENCE)
    expect(result.idTokenAudience).toBe('sts.example.com')
  })

  it.each([
    ['a space ID', 'my-space-123'],
    ['a URL', 'https://captain.api.mondoo.app/spaces/my-space-123'],
    ['an upper-case space', '//captain.api.mondoo.app/spaces/My-Space'],
    ['no space', '//captain.api.mondoo.app/spaces/'],
    ['a path after the space', '//captain.api.mondoo.app/spaces/a/assets'],
    ['a single-label host', '//captain/spaces/my-space'],
    ['an organization MRN', '//captain.api.mondoo.app/organizations/my-org'],
    ['a space ID starting with a dash', '//captain.api.mondoo.app/spaces/-x']
  ])('rejects %s as audience and shows the expected form', (_, audience) => {
    const error = failure({ audience })
    expect(error.message).toMatch(/^Input "audience" must look like "\/\/captain\.api\.mondoo\.app/)
    expect(error.message).toContain(`not "${audience}"`)
  })

  it.each([
    ['upper case', 'My-Space'],
    ['a leading dash', '-space'],
    ['a slash', 'my/space'],
    ['a space', 'my space'],
    ['129 characters', 'a'.repeat(129)],
    ['a URL', 'https://captain.api.mondoo.app/spaces/x']
  ])('rejects a space-id with %s', (_, spaceId) => {
    const error = failure({ audience: '', 'space-id': spaceId })
    expect(error.message).toMatch(/^Input "space-id" must be a space ID such as "my-space-123"/)
  })

  it('accepts a 128-character space ID', () => {
    expect(config({ audience: '', 'space-id': 'a'.repeat(128) }).audience).toBe(
      `//captain.api.mondoo.app/spaces/${'a'.repeat(128)}`
    )
  })

  it('rejects an audience and a space-id that name different spaces, naming both', () => {
    const error = failure({ 'space-id': 'other-space' })
    expect(error.message).toContain('Input "audience"')
    expect(error.message).toContain('input "space-id"')
    expect(error.message).toContain('other-space')
    expect(error.message).toContain('set only one')
  })

  it('asks for one of the two when neither is set', () => {
    const error = failure({ audience: '', 'space-id': '' })
    expect(error.message).toMatch(/^Input "audience" is required \(or set "space-id"\)/)
  })
})

describe('api-endpoint, issuer and releases-url', () => {
  it.each([
    ['us', 'https://us.api.mondoo.com'],
    ['US', 'https://us.api.mondoo.com'],
    [' eu ', 'https://eu.api.mondoo.com'],
    ['EU', 'https://eu.api.mondoo.com'],
    ['', 'https://us.api.mondoo.com'],
    ['https://eu.api.mondoo.com/', 'https://eu.api.mondoo.com'],
    ['https://mondoo.internal.example:8443/api//', 'https://mondoo.internal.example:8443/api'],
    ['HTTPS://EU.API.MONDOO.COM', 'https://eu.api.mondoo.com'],
    ['http://127.0.0.1:8080', 'http://127.0.0.1:8080'],
    ['http://127.10.20.30', 'http://127.10.20.30'],
    ['http://localhost:3000/', 'http://localhost:3000'],
    ['http://LOCALHOST', 'http://localhost'],
    ['http://[::1]:9000', 'http://[::1]:9000'],
    ['http://[0:0:0:0:0:0:0:1]', 'http://[::1]']
  ])('api-endpoint %j becomes %s', (value, expected) => {
    expect(config({ 'api-endpoint': value }).apiEndpoint).toBe(expected)
  })

  const badUrls: Array<[string, string, RegExp]> = [
    [
      'plain http to a public host',
      'http://us.api.mondoo.com',
      /not a loopback address; use https/
    ],
    ['plain http to a private address', 'http://10.0.0.1', /not a loopback address/],
    ['plain http to 128.0.0.1', 'http://128.0.0.1', /not a loopback address/],
    ['plain http to a mapped IPv4', 'http://[::ffff:127.0.0.1]', /not a loopback address/],
    ['plain http to localhost.evil.com', 'http://localhost.evil.com', /not a loopback address/],
    ['plain http to 127.0.0.1.nip.io', 'http://127.0.0.1.nip.io', /not a loopback address/],
    ['file://', 'file:///etc/passwd', /uses "file:", but only https:\/\/ is allowed/],
    ['ftp://', 'ftp://releases.mondoo.com', /uses "ftp:"/],
    ['javascript:', 'javascript:alert(1)', /uses "javascript:"/],
    ['a user name', 'https://user@us.api.mondoo.com', /must not carry a user name or password/],
    ['a password', 'https://:secret@us.api.mondoo.com', /must not carry a user name or password/],
    ['a query string', 'https://us.api.mondoo.com/?a=1', /must not have a query string/],
    ['an empty query string', 'https://us.api.mondoo.com/?', /must not have a query string/],
    ['a fragment', 'https://us.api.mondoo.com/#x', /must not have a fragment/],
    ['an empty fragment', 'https://us.api.mondoo.com#', /must not have a fragment/],
    ['no scheme', 'us.api.mondoo.com', /is not a URL: "us\.api\.mondoo\.com"/],
    ['a region that does not exist', 'ap', /is not a URL: "ap"/],
    ['a bare word that names an Object property', 'hasOwnProperty', /is not a URL/]
  ]

  describe.each(['api-endpoint', 'releases-url', 'issuer'] as const)('%s', name => {
    it.each(badUrls)('rejects %s', (_, value, problem) => {
      const error = failure({ [name]: value })
      expect(error.message).toMatch(new RegExp(`^Input "${name}" `))
      expect(error.message).toMatch(problem)
    })

    it('rejects a line break, which URL parsing would silently drop', () => {
      const error = failure({ [name]: 'https://us.api.mondoo.com\n/evil' })
      expect(error.message).toMatch(new RegExp(`^Input "${name}" contains a control character`))
    })
  })

  it('keeps an https releases mirror with a path', () => {
    expect(config({ 'releases-url': 'https://mirror.corp.example/mondoo/' }).releasesUrl).toBe(
      'https://mirror.corp.example/mondoo'
    )
  })

  it('does not treat "us" and "eu" as shorthands for releases-url', () => {
    expect(failure({ 'releases-url': 'eu' }).message).toMatch(/^Input "releases-url" is not a URL/)
  })

  it('leaves issuer unset when empty, so the token’s iss is sent', () => {
    expect(config({ issuer: '   ' }).issuer).toBeUndefined()
    expect(config({ issuer: 'https://token.actions.githubusercontent.com/' }).issuer).toBe(
      'https://token.actions.githubusercontent.com'
    )
  })

  it.each(['constructor', '__proto__', 'Constructor'])(
    'rejects api-endpoint %j as an input error',
    value => {
      expect(failure({ 'api-endpoint': value }).message).toMatch(/^Input "api-endpoint" /)
    }
  )
})

describe('cnspec-version', () => {
  it.each([
    ['latest', 'latest'],
    ['LATEST', 'latest'],
    ['Latest', 'latest'],
    ['', 'latest'],
    ['  latest  ', 'latest'],
    ['v13.35.2', '13.35.2'],
    ['13.35.2', '13.35.2'],
    [' 13.35.2 ', '13.35.2'],
    ['0.0.0', '0.0.0'],
    ['013.035.002', '13.35.2'],
    ['9999.9999.9999', '9999.9999.9999']
  ])('accepts %j as %s', (raw, version) => {
    expect(parseVersion(raw)).toBe(version)
    expect(config({ 'cnspec-version': raw }).cnspecVersion).toBe(version)
  })

  it.each([
    '../x',
    '../../etc',
    '1.2',
    '1.2.3.4',
    '13',
    'latest; rm -rf /',
    '13.35.2; rm -rf /',
    '$(id)',
    'V13.35.2',
    'vv13.35.2',
    '13.35.2-rc1',
    '13.35.2+build',
    '10000.0.0',
    '13.35.x',
    'newest',
    '٣.٣.٣',
    '13 .35.2'
  ])('rejects %j', raw => {
    expect(() => parseVersion(raw)).toThrow(
      /^Input "cnspec-version" must be "latest" or an exact version such as "13\.35\.2"/
    )
    expect(failure({ 'cnspec-version': raw }).message).toMatch(/^Input "cnspec-version" /)
  })
})

describe('boolean inputs', () => {
  describe.each(['export-credentials', 'status', 'scan'] as const)('%s', name => {
    const key = name === 'export-credentials' ? 'exportCredentials' : name

    it.each([
      ['true', true],
      ['True', true],
      ['TRUE', true],
      [' true ', true],
      ['false', false],
      ['False', false],
      ['FALSE', false],
      ['', true]
    ])('reads %j as %s', (raw, value) => {
      expect(config({ [name]: raw })[key]).toBe(value)
    })

    it.each(['yes please', 'yes', 'no', '1', '0', 'tRUE', 'on', 'false!'])('rejects %j', raw => {
      expect(failure({ [name]: raw }).message).toBe(
        `Input "${name}" must be true or false, not "${raw}".`
      )
    })
  })
})

describe('risk-threshold', () => {
  it.each([
    ['0', 0],
    ['1', 1],
    ['50', 50],
    ['100', 100],
    ['007', 7],
    [' 80 ', 80],
    ['', undefined]
  ])('reads %j as %s', (raw, value) => {
    expect(config({ 'risk-threshold': raw }).riskThreshold).toBe(value)
  })

  it.each(['abc', '500', '101', '-1', '1.5', '1e2', '0x10', '+5', '0100', '５０', '50%', 'NaN'])(
    'rejects %j',
    raw => {
      expect(failure({ 'risk-threshold': raw }).message).toBe(
        `Input "risk-threshold" must be a whole number from 0 to 100 (leave it empty to never fail on risk), not "${raw}".`
      )
    }
  )
})

describe('output', () => {
  it.each([
    ['compact', 'compact'],
    ['summary', 'summary'],
    ['full', 'full'],
    ['report', 'report'],
    ['yaml', 'yaml'],
    ['yml', 'yml'],
    ['yaml-v2', 'yaml-v2'],
    ['json', 'json'],
    ['json-v1', 'json-v1'],
    ['junit', 'junit'],
    ['sarif', 'sarif'],
    ['JSON', 'json'],
    ['compact,nodata', 'compact,nodata'],
    ['Full,NoColor,Detailed', 'full,nocolor,detailed'],
    ['summary,all', 'summary,all'],
    ['', 'compact']
  ])('accepts %j as %s', (raw, output) => {
    expect(config({ output: raw }).output).toBe(output)
  })

  it.each([
    'xml',
    'nodata',
    'compact,',
    'compact,,nodata',
    'compact, nodata',
    'compact,verbose',
    'json;rm',
    '-o json',
    'compact nodata'
  ])('rejects %j, listing the formats', raw => {
    const error = failure({ output: raw })
    expect(error.message).toMatch(/^Input "output" must be one of compact, summary, full, /)
    expect(error.message).toContain('sarif')
    expect(error.message).toContain(`not "${raw}"`)
  })
})

describe('log-level and on-missing-id-token', () => {
  it.each(['error', 'warn', 'info', 'debug', 'trace', 'DEBUG', ' Trace '])(
    'accepts log-level %j',
    raw => {
      expect(config({ 'log-level': raw }).logLevel).toBe(raw.trim().toLowerCase())
    }
  )

  it.each(['verbose', 'warning', 'fatal', '5', 'info debug'])('rejects log-level %j', raw => {
    expect(failure({ 'log-level': raw }).message).toBe(
      `Input "log-level" must be one of error, warn, info, debug, trace, not "${raw}".`
    )
  })

  it.each([
    ['fail', 'fail'],
    ['incognito', 'incognito'],
    ['Incognito', 'incognito'],
    ['', 'fail']
  ])('reads on-missing-id-token %j as %s', (raw, value) => {
    expect(config({ 'on-missing-id-token': raw }).onMissingIdToken).toBe(value)
  })

  it.each(['skip', 'warn', 'true'])('rejects on-missing-id-token %j', raw => {
    expect(failure({ 'on-missing-id-token': raw }).message).toBe(
      `Input "on-missing-id-token" must be one of fail, incognito, not "${raw}".`
    )
  })
})

describe('target and args', () => {
  it.each([
    ['docker image alpine:3.20', ['docker', 'image', 'alpine:3.20']],
    ['k8s "./my manifests"', ['k8s', './my manifests']],
    ["terraform './infra dir'", ['terraform', './infra dir']],
    ['  local  ', ['local']],
    ['', ['local']],
    ['docker\n  image\talpine', ['docker', 'image', 'alpine']],
    ['docker \\\n image x', ['docker', 'image', 'x']],
    ["ssh user@host '$(id)'", ['ssh', 'user@host', '$(id)']],
    ['fs . # scan the repo', ['fs', '.']],
    ['# only a comment', ['local']]
  ])('target %j runs as %j', (raw, words) => {
    expect(config({ target: raw }).target).toEqual(words)
  })

  it.each([
    ['', []],
    ['--policy-bundle ./bundle.mql.yaml', ['--policy-bundle', './bundle.mql.yaml']],
    ['--annotation "team=platform ops"', ['--annotation', 'team=platform ops']],
    ["--var 'a=it'\\''s'", ['--var', "a=it's"]],
    ['--props ""', ['--props', '']],
    ["'a; rm -rf / | cat'", ['a; rm -rf / | cat']]
  ])('args %j runs as %j', (raw, words) => {
    expect(config({ args: raw }).args).toEqual(words)
  })

  it.each([
    ['ssh user@host "$(id)"', 'a double-quoted "$"'],
    ['a; rm -rf / | cat', 'an unquoted ";"'],
    ['--x=$HOME', 'an unquoted "$"']
  ])('refuses %j, which a shell would expand or run, naming %s', (raw, what) => {
    for (const name of ['target', 'args'] as const) {
      expect(failure({ [name]: raw }).message).toMatch(
        new RegExp(
          `^Input "${name}" has ${what.replace(/[$"]/g, '\\$&')}: this action never runs a shell`
        )
      )
    }
  })

  it.each([
    ['"unclosed', /has an unclosed double quote/],
    ["it's", /has an unclosed single quote/],
    ['trailing \\', /ends with a lone backslash/]
  ])('rejects %j with shell quoting advice', (raw, problem) => {
    for (const name of ['target', 'args'] as const) {
      const error = failure({ [name]: raw })
      expect(error.message).toMatch(new RegExp(`^Input "${name}" `))
      expect(error.message).toMatch(problem)
      expect(error.message).toContain(`quote words as in a shell`)
    }
  })

  it('accepts multi-line words up to 16384 characters, but not more', () => {
    const long = 'a '.repeat(8192)
    expect(config({ args: long }).args).toHaveLength(8192)
    expect(failure({ args: `${long}b` }).message).toBe(
      'Input "args" is 16385 characters long; the limit is 16384.'
    )
  })
})

describe('control characters and size', () => {
  const singleLine = INPUT_NAMES.filter(
    (name): name is Exclude<InputName, 'target' | 'args' | 'wif-config'> =>
      name !== 'target' && name !== 'args' && name !== 'wif-config'
  )

  const valid: Record<(typeof singleLine)[number], string> = {
    audience: AUDIENCE,
    'space-id': 'my-space-123',
    'api-endpoint': 'https://us.api.mondoo.com',
    issuer: 'https://token.actions.githubusercontent.com',
    'id-token-audience': 'mondoo',
    'export-credentials': 'true',
    'on-missing-id-token': 'fail',
    'cnspec-version': '13.35.2',
    'releases-url': 'https://releases.mondoo.com',
    status: 'true',
    scan: 'true',
    output: 'json',
    'risk-threshold': '50',
    'log-level': 'info',
    'credential-mode': 'wif'
  }

  it.each(singleLine)('rejects a NUL byte, tab, line break, ESC or DEL in %s', name => {
    for (const ch of ['\0', '\t', '\n', '\r', '\x1b', '\x7f']) {
      // In the middle, where trimming cannot remove it.
      const value = `${valid[name].slice(0, 3)}${ch}${valid[name].slice(3)}`
      expect(failure({ [name]: value }).message).toBe(
        `Input "${name}" contains a control character (a line break, tab or NUL byte); it must be a single line.`
      )
    }
  })

  it.each(['target', 'args'] as const)(
    'allows tabs and line breaks in %s, not NUL or ESC',
    name => {
      // CR is an ordinary character to sh, as it is here.
      expect(config({ [name]: 'a\tb\r\nc' })[name]).toEqual(['a', 'b\r', 'c'])
      for (const ch of ['\0', '\x1b', '\x07', '\x7f']) {
        expect(failure({ [name]: `a${ch}b` }).message).toBe(
          `Input "${name}" contains a control character (such as a NUL byte); remove it.`
        )
      }
    }
  )

  it.each([...singleLine, 'target', 'args'] as const)(
    'rejects a 100 KB %s by its length, without echoing it',
    name => {
      const error = failure({ [name]: 'a'.repeat(100 * 1024) })
      expect(error.message).toMatch(
        new RegExp(`^Input "${name}" is 102400 characters long; the limit is (2048|16384)\\.$`)
      )
    }
  )

  it.each(['\u0085', '\u009b'])('rejects the C1 control %j in a single-line input', ch => {
    expect(failure({ 'id-token-audience': `mondoo${ch}x` }).message).toMatch(
      /^Input "id-token-audience" contains a control character/
    )
  })

  it('shortens a long bad value in the message', () => {
    const value = `x${'y'.repeat(500)}`
    const message = failure({ 'log-level': value }).message
    expect(message).toContain(`not "${value.slice(0, 77)}..."`)
    expect(message.length).toBeLessThan(200)
  })
})

describe('several bad inputs', () => {
  it('are reported together in one error, one line each', () => {
    const error = failure({
      audience: 'my-space',
      'api-endpoint': 'http://example.com',
      'cnspec-version': '../x',
      status: 'yes please',
      'risk-threshold': '500',
      output: 'xml',
      args: '"open'
    })
    const lines = error.message.split('\n')
    expect(lines[0]).toBe('7 inputs need fixing:')
    expect(lines.slice(1).map(line => /^- Input "([a-z-]+)"/.exec(line)?.[1])).toEqual([
      'audience',
      'api-endpoint',
      'cnspec-version',
      'status',
      'args',
      'output',
      'risk-threshold'
    ])
  })

  it('report an input once, even when its value is read twice', () => {
    const error = failure({ 'api-endpoint': 'us\0', scan: 'maybe' })
    expect(error.message.match(/Input "api-endpoint"/g)).toHaveLength(1)
    expect(error.message).toMatch(/^2 inputs need fixing:/)
  })
})
