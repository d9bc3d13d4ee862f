import { describe, expect, it } from '@jest/globals'
import { releasePlatform, type ReleasePlatform } from '../../src/install/platform.js'
import {
  archiveName,
  archiveUrl,
  checksumsUrl,
  latestUrl,
  parseChecksums,
  parseLatest
} from '../../src/install/release.js'

function platform(os: NodeJS.Platform, arch: string): ReleasePlatform {
  const result = releasePlatform(os, arch)
  if ('error' in result) throw new Error(result.error)
  return result
}

const LINUX = platform('linux', 'x64')
const WINDOWS = platform('win32', 'x64')
const MAC = platform('darwin', 'arm64')
const HASH = 'a'.repeat(64)
const OTHER_HASH = '0123456789abcdef'.repeat(4)

describe('release URLs and names', () => {
  it('names archives as Mondoo publishes them, without a "v"', () => {
    expect(archiveName('13.35.2', LINUX)).toBe('cnspec_13.35.2_linux_amd64.tar.gz')
    expect(archiveName('13.35.2', WINDOWS)).toBe('cnspec_13.35.2_windows_amd64.zip')
    expect(archiveName('13.35.2', MAC)).toBe('cnspec_13.35.2_darwin_arm64.tar.gz')
  })

  it('builds the archive, checksums and latest.json URLs under the releases URL', () => {
    const base = 'https://releases.mondoo.com'
    expect(archiveUrl(base, '13.35.2', LINUX)).toBe(
      'https://releases.mondoo.com/cnspec/13.35.2/cnspec_13.35.2_linux_amd64.tar.gz'
    )
    expect(checksumsUrl(base, '13.35.2')).toBe(
      'https://releases.mondoo.com/cnspec/13.35.2/cnspec_v13.35.2_SHA256SUMS'
    )
    expect(latestUrl('http://127.0.0.1:8080/mirror')).toBe(
      'http://127.0.0.1:8080/mirror/cnspec/latest.json'
    )
  })
})

describe('parseLatest', () => {
  const latest = (version: unknown, files: unknown = []) => JSON.stringify({ version, files })

  it('reads the version and this platform’s hash from latest.json', () => {
    const body = latest('13.35.2', [
      {
        filename: 'https://releases.mondoo.com/cnspec/13.35.2/cnspec_13.35.2_darwin_arm64.tar.gz',
        platform: 'darwin_arm64',
        hash: OTHER_HASH
      },
      {
        filename: 'https://releases.mondoo.com/cnspec/13.35.2/cnspec_13.35.2_linux_amd64.tar.gz',
        platform: 'linux_amd64',
        hash: HASH.toUpperCase(),
        size: 1234
      }
    ])
    expect(parseLatest(body, LINUX)).toEqual({ version: '13.35.2', sha256: HASH, size: 1234 })
    expect(parseLatest(body, MAC)).toEqual({
      version: '13.35.2',
      sha256: OTHER_HASH,
      size: undefined
    })
  })

  it('drops a leading "v" from the version', () => {
    expect(parseLatest(latest('v13.35.2'), LINUX)).toEqual({
      version: '13.35.2',
      sha256: undefined,
      size: undefined
    })
  })

  it('leaves the hash unknown when this platform is not listed, or listed for another file', () => {
    expect(parseLatest(latest('13.35.2'), LINUX)).toEqual({
      version: '13.35.2',
      sha256: undefined,
      size: undefined
    })
    expect(parseLatest(latest('13.35.2', 'not a list'), LINUX)).toEqual({
      version: '13.35.2',
      sha256: undefined,
      size: undefined
    })
    const stale = [
      { filename: 'cnspec_13.34.0_linux_amd64.tar.gz', platform: 'linux_amd64', hash: HASH },
      null,
      'junk'
    ]
    expect(parseLatest(latest('13.35.2', stale), LINUX)).toEqual({
      version: '13.35.2',
      sha256: undefined,
      size: undefined
    })
  })

  it.each([
    ['../../x', 'latest.json has no version of the form X.Y.Z'],
    ['13.35.2/../../evil', 'latest.json has no version of the form X.Y.Z'],
    ['13.35', 'latest.json has no version of the form X.Y.Z'],
    ['13.35.2-rc1', 'latest.json has no version of the form X.Y.Z'],
    [' 13.35.2', 'latest.json has no version of the form X.Y.Z'],
    ['vv13.35.2', 'latest.json has no version of the form X.Y.Z'],
    [13.35, 'latest.json has no version of the form X.Y.Z'],
    [undefined, 'latest.json has no version of the form X.Y.Z']
  ])('refuses the version %j', (version, error) => {
    expect(parseLatest(latest(version), LINUX)).toEqual({ error })
  })

  it.each([
    ['not JSON', '<html>502 Bad Gateway</html>', 'latest.json is not JSON'],
    ['null', 'null', 'latest.json has no version of the form X.Y.Z'],
    ['an array', '[]', 'latest.json has no version of the form X.Y.Z']
  ])('refuses a body that is %s', (_, body, error) => {
    expect(parseLatest(body, LINUX)).toEqual({ error })
  })

  it.each([
    ['not hex', 'z'.repeat(64)],
    ['too short', 'a'.repeat(63)],
    ['too long', 'a'.repeat(65)],
    ['a SHA-1', 'a'.repeat(40)],
    ['prefixed', `sha256:${HASH}`]
  ])('refuses this platform’s hash when it is %s', (_, hash) => {
    const body = latest('13.35.2', [
      { filename: 'cnspec_13.35.2_linux_amd64.tar.gz', platform: 'linux_amd64', hash }
    ])
    expect(parseLatest(body, LINUX)).toEqual({
      error: "latest.json's hash for linux_amd64 is not a SHA-256"
    })
  })
})

describe('parseChecksums', () => {
  it('reads sha256sum lines, text and binary mode, and lower-cases the hashes', () => {
    const text = [
      `${HASH}  cnspec_13.35.2_linux_amd64.tar.gz`,
      `${OTHER_HASH.toUpperCase()} *cnspec_13.35.2_windows_amd64.zip`,
      ''
    ].join('\n')
    const sums = parseChecksums(text)
    expect(sums.get(archiveName('13.35.2', LINUX))).toBe(HASH)
    expect(sums.get(archiveName('13.35.2', WINDOWS))).toBe(OTHER_HASH)
    expect(sums.size).toBe(2)
  })

  it('reads Windows line endings and surrounding blanks', () => {
    const sums = parseChecksums(`  ${HASH}  cnspec_13.35.2_linux_amd64.tar.gz  \r\n`)
    expect(sums.get('cnspec_13.35.2_linux_amd64.tar.gz')).toBe(HASH)
  })

  it.each([
    ['a short hash', `${'a'.repeat(63)}  cnspec_13.35.2_linux_amd64.tar.gz`],
    ['a long hash', `${'a'.repeat(65)}  cnspec_13.35.2_linux_amd64.tar.gz`],
    ['a non-hex hash', `${'g'.repeat(64)}  cnspec_13.35.2_linux_amd64.tar.gz`],
    ['no space before the name', `${HASH}cnspec_13.35.2_linux_amd64.tar.gz`],
    ['two names', `${HASH}  cnspec_13.35.2_linux_amd64.tar.gz other`],
    ['a PGP header', '-----BEGIN PGP SIGNED MESSAGE-----'],
    ['no name', HASH]
  ])('skips a line with %s', (_, line) => {
    expect(parseChecksums(line).size).toBe(0)
  })

  it('keeps good lines around bad ones', () => {
    const text = `garbage\n${HASH}  cnspec_13.35.2_linux_amd64.tar.gz\n${'x'.repeat(64)}  evil`
    expect([...parseChecksums(text)]).toEqual([['cnspec_13.35.2_linux_amd64.tar.gz', HASH]])
  })
})
