import { describe, expect, it } from '@jest/globals'
import { baseUrl, isLoopbackHost, urlProblem } from '../../src/net/urls.js'

describe('isLoopbackHost', () => {
  it.each(['localhost', 'LocalHost', '127.0.0.1', '127.1.2.3', '127.255.255.255', '::1', '[::1]'])(
    'counts %s as this machine',
    host => {
      expect(isLoopbackHost(host)).toBe(true)
    }
  )

  it.each([
    '128.0.0.1',
    '10.0.0.1',
    '0.0.0.0',
    '126.0.0.1',
    '127.0.0.1.nip.io',
    'localhost.example.com',
    'mylocalhost',
    '::',
    '::2',
    '::ffff:127.0.0.1',
    '[::ffff:7f00:1]',
    'fe80::1',
    '127.0.0',
    ''
  ])('does not count %j', host => {
    expect(isLoopbackHost(host)).toBe(false)
  })
})

describe('urlProblem', () => {
  it.each([
    'https://us.api.mondoo.com',
    'https://mirror.example.com:8443/cnspec/',
    'http://127.0.0.1:4000',
    'http://localhost/x',
    'http://[::1]:8080/'
  ])('accepts %s', url => {
    expect(urlProblem(new URL(url))).toBeNull()
  })

  it.each([
    ['http://example.com', 'uses http:// to a host that is not a loopback address; use https://'],
    [
      'http://192.168.1.10:8080',
      'uses http:// to a host that is not a loopback address; use https://'
    ],
    [
      'file:///tmp/x',
      'uses "file:", but only https:// is allowed (http:// only to a loopback address)'
    ],
    [
      'ws://localhost',
      'uses "ws:", but only https:// is allowed (http:// only to a loopback address)'
    ],
    [
      'https://me@example.com',
      'must not carry a user name or password; credentials never go in URLs'
    ],
    [
      'http://u:p@localhost',
      'must not carry a user name or password; credentials never go in URLs'
    ],
    ['https://example.com/?token=1', 'must not have a query string (?...)'],
    ['https://example.com/?', 'must not have a query string (?...)'],
    ['https://example.com/#top', 'must not have a fragment (#...)'],
    ['https://example.com/#', 'must not have a fragment (#...)']
  ])('explains what is wrong with %s', (url, problem) => {
    expect(urlProblem(new URL(url))).toBe(problem)
  })
})

describe('baseUrl', () => {
  it.each([
    ['https://us.api.mondoo.com', 'https://us.api.mondoo.com'],
    ['https://us.api.mondoo.com/', 'https://us.api.mondoo.com'],
    ['https://example.com/a/b///', 'https://example.com/a/b'],
    ['HTTPS://Example.COM:443/Path/', 'https://example.com/Path'],
    ['http://[::1]:8080/', 'http://[::1]:8080']
  ])('gives %s as %s, ready for "/path" to be appended', (url, base) => {
    expect(baseUrl(new URL(url))).toBe(base)
  })
})
