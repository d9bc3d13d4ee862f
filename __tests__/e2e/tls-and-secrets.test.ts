import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { createServer, type Server } from 'node:https'
import type { AddressInfo } from 'node:net'
import { selfSigned } from '../../sandbox/certificate.js'
import { errorOf, harness, type Harness } from '../helpers.js'

let h: Harness
let untrusted: Server
let url = ''
let connections = 0
beforeAll(async () => {
  h = await harness()
  // An https server whose certificate no CA vouches for: what a TLS-inspecting proxy looks
  // like to a runner that does not have the proxy's CA.
  const { privateKey, certificate } = await selfSigned('127.0.0.1', 1, ['127.0.0.1'])
  untrusted = createServer({ key: privateKey, cert: certificate }, (_req, res) => res.end('{}'))
  untrusted.on('connection', () => connections++)
  await new Promise<void>(resolve => untrusted.listen(0, '127.0.0.1', resolve))
  url = `https://127.0.0.1:${(untrusted.address() as AddressInfo).port}`
})
afterAll(async () => {
  await h.sandbox.close()
  await new Promise(resolve => untrusted.close(resolve))
})
beforeEach(() => {
  h.sandbox.reset()
  connections = 0
})

describe('an untrusted TLS certificate fails at once and says what to check', () => {
  it.each([
    ['api-endpoint', { 'api-endpoint': '' }, { status: 'false', scan: 'false' }],
    ['releases-url', { 'releases-url': '' }, { status: 'false', scan: 'false' }]
  ])('%s', async (input, _unused, rest) => {
    const result = await h.run({ inputs: { ...rest, [input]: url } })
    expect(result.exitCode).toBe(1)
    const error = errorOf(result)
    expect(error).toContain('TLS certificate is not trusted')
    expect(error).toContain('NODE_EXTRA_CA_CERTS')
    expect(error).toContain('corporate proxy')
    expect(result.stdout).not.toMatch(/retrying in/)
    // One connection per request that was ever made: none was repeated.
    expect(connections).toBeLessThanOrEqual(input === 'releases-url' ? 2 : 1)
    expect(result.exported).toEqual({})
  })
})

describe('no password in any message', () => {
  it('a releases-url with user:password@ is refused without repeating the password', async () => {
    const result = await h.run({
      inputs: { 'releases-url': 'https://mirror-user:Sup3r-S3cret-pw@mirror.example.com/cnspec' }
    })
    expect(result.exitCode).toBe(1)
    expect(errorOf(result)).toContain('releases-url')
    expect(errorOf(result)).toContain('must not carry a user name or password')
    expect(result.stdout + result.stderr).not.toContain('Sup3r-S3cret-pw')
    expect(h.sandbox.oidc.requests).toBe(0)
  })
})
