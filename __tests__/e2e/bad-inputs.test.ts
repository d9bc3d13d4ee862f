import { afterAll, beforeAll, beforeEach, expect, it } from '@jest/globals'
import { errorOf, harness, type Harness } from '../helpers.js'

let h: Harness
beforeAll(async () => {
  h = await harness()
})
afterAll(async () => h.sandbox.close())
beforeEach(() => h.sandbox.reset())

const MRN = '//captain.api.mondoo.app/spaces/sandbox-space-123456'
const big = 'a'.repeat(100 * 1024)

// Each row: the inputs that differ from a working configuration, and the message the user sees.
const CASES: Array<[string, Record<string, string>, RegExp]> = [
  ['empty audience', { audience: '' }, /Input "audience" is required \(or set "space-id"\)/],
  [
    'audience without //',
    { audience: 'captain.api.mondoo.app/spaces/x1' },
    /Input "audience" must look like "\/\/captain\.api\.mondoo\.app\/spaces\/<space-id>"/
  ],
  [
    'audience of the wrong shape',
    { audience: '//captain.api.mondoo.app/space/x1' },
    /Input "audience" must look like/
  ],
  ['audience with a trailing slash', { audience: `${MRN}/` }, /Input "audience" must look like/],
  [
    'audience with an escape sequence',
    { audience: `${MRN}\u001b[31m` },
    /Input "audience" contains a control character/
  ],
  [
    'audience of 100 KB',
    { audience: big },
    /Input "audience" is 102400 characters long; the limit is 2048/
  ],
  [
    'space-id with a slash',
    { audience: '', 'space-id': 'abc/def' },
    /Input "space-id" must be a space ID such as "my-space-123"/
  ],
  [
    'space-id and a different audience',
    { 'space-id': 'other-space-1' },
    /Input "audience" \(.*\) and input "space-id" \(.*\) name different audiences; set only one/
  ],
  [
    'api-endpoint over http to a remote host',
    { 'api-endpoint': 'http://us.api.mondoo.com' },
    /Input "api-endpoint" uses http:\/\/ to a host that is not a loopback address; use https:\/\//
  ],
  [
    'api-endpoint file://',
    { 'api-endpoint': 'file:///etc/passwd' },
    /Input "api-endpoint" uses "file:", but only https:\/\/ is allowed/
  ],
  [
    'api-endpoint with user info',
    { 'api-endpoint': 'https://user:secret@us.api.mondoo.com' },
    /Input "api-endpoint" must not carry a user name or password/
  ],
  [
    'api-endpoint that is not a URL',
    { 'api-endpoint': 'mondoo' },
    /Input "api-endpoint" is not a URL: "mondoo"/
  ],
  [
    'api-endpoint with a query string',
    { 'api-endpoint': 'https://us.api.mondoo.com/?region=eu' },
    /Input "api-endpoint" must not have a query string/
  ],
  [
    'api-endpoint with a fragment',
    { 'api-endpoint': 'https://us.api.mondoo.com/#x' },
    /Input "api-endpoint" must not have a fragment/
  ],
  [
    'releases-url with a query string',
    { 'releases-url': 'https://releases.mondoo.com/?token=abc' },
    /Input "releases-url" must not have a query string/
  ],
  [
    'releases-url over ftp',
    { 'releases-url': 'ftp://releases.mondoo.com' },
    /Input "releases-url" uses "ftp:"/
  ],
  [
    'releases-url over http to a remote mirror',
    { 'releases-url': 'http://mirror.internal' },
    /Input "releases-url" uses http:\/\/ to a host that is not a loopback/
  ],
  [
    'issuer over http to a remote host',
    { issuer: 'http://token.actions.githubusercontent.com' },
    /Input "issuer" uses http:\/\//
  ],
  [
    'cnspec-version ../../etc',
    { 'cnspec-version': '../../etc' },
    /Input "cnspec-version" must be "latest" or an exact version such as "13\.35\.2", not "\.\.\/\.\.\/etc"/
  ],
  [
    'cnspec-version 13.35',
    { 'cnspec-version': '13.35' },
    /Input "cnspec-version" must be "latest" or an exact version/
  ],
  [
    'risk-threshold abc',
    { 'risk-threshold': 'abc' },
    /Input "risk-threshold" must be a whole number from 0 to 100/
  ],
  [
    'risk-threshold 500',
    { 'risk-threshold': '500' },
    /Input "risk-threshold" must be a whole number from 0 to 100 .*not "500"/
  ],
  [
    'risk-threshold -5',
    { 'risk-threshold': '-5' },
    /Input "risk-threshold" must be a whole number/
  ],
  [
    'export-credentials "yes please"',
    { 'export-credentials': 'yes please' },
    /Input "export-credentials" must be true or false, not "yes please"/
  ],
  ['status "on"', { status: 'on' }, /Input "status" must be true or false, not "on"/],
  ['scan "1"', { scan: '1' }, /Input "scan" must be true or false, not "1"/],
  [
    'target with an unclosed double quote',
    { target: 'docker image "alpine:3.20' },
    /Input "target" has an unclosed double quote; quote words as in a shell/
  ],
  [
    'args with an unclosed single quote',
    { args: "--annotation 'team=a" },
    /Input "args" has an unclosed single quote/
  ],
  [
    'args ending in a lone backslash',
    { args: '--asset-name x \\' },
    /Input "args" ends with a lone backslash/
  ],
  ['args of 100 KB', { args: big }, /Input "args" is 102400 characters long; the limit is 16384/],
  ['output pdf', { output: 'pdf' }, /Input "output" must be one of compact, summary, full/],
  ['output with an unknown modifier', { output: 'json,bogus' }, /Input "output" must be one of/],
  [
    'log-level verbose',
    { 'log-level': 'verbose' },
    /Input "log-level" must be one of error, warn, info, debug, trace, not "verbose"/
  ],
  [
    'on-missing-id-token ignore',
    { 'on-missing-id-token': 'ignore' },
    /Input "on-missing-id-token" must be one of fail, incognito/
  ],
  [
    'id-token-audience over two lines',
    { 'id-token-audience': 'a\nb' },
    /Input "id-token-audience" contains a control character .* it must be a single line/
  ],
  [
    'three bad inputs at once',
    { status: 'maybe', 'risk-threshold': '101', 'log-level': 'loud' },
    /3 inputs need fixing:\n- Input "status".*\n- Input "risk-threshold".*\n- Input "log-level"/
  ]
]

it(`has at least 25 cases (${CASES.length})`, () => {
  expect(CASES.length).toBeGreaterThanOrEqual(25)
})

it.each(CASES)(
  '%s: fails with a message naming the input, before any request',
  async (_name, inputs, message) => {
    const result = await h.run({ inputs })
    expect(result.exitCode).toBe(1)
    expect(errorOf(result)).toMatch(message)
    expect(errorOf(result)).not.toMatch(/\n\s+at /) // no stack trace
    expect(
      h.sandbox.oidc.requests + h.sandbox.sts.exchanges + h.sandbox.releases.requests.length
    ).toBe(0)
    expect(result.exported).toEqual({})
    expect(result.outputs).toEqual({})
    expect(result.addedPath).toEqual([])
  }
)
