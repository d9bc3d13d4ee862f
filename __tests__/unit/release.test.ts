import { describe, expect, it } from '@jest/globals'
import { releasePlatform, type ReleasePlatform } from '../../src/install/platform.js'
import { archiveName, checksumOf, parseLatest, releaseUrls } from '../../src/install/release.js'

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

  it('builds the archive and checksums URLs under the releases URL', () => {
    expect(releaseUrls('https://releases.mondoo.com', '13.35.2', LINUX)).toEqual({
      archive: 'https://releases.mondoo.com/cnspec/13.35.2/cnspec_13.35.2_linux_amd64.tar.gz',
      checksums: 'https://releases.mondoo.com/cnspec/13.35.2/cnspec_v13.35.2_SHA256SUMS'
    })
    expect(releaseUrls('http://127.0.0.1:8080/mirror', '1.2.3', WINDOWS).archive).toBe(
      'http://127.0.0.1:8080/mirror/cnspec/1.2.3/cnspec_1.2.3_windows_amd64.zip'
    )
  })
})

describe('parseLatest', () => {
  const latest = (version: unknown) => JSON.stringify({ version, files: [] })

  it('reads the version, without a leading "v"', () => {
    expect(parseLatest(latest('13.35.2'))).toBe('13.35.2')
    expect(parseLatest(latest('v13.35.2'))).toBe('13.35.2')
  })

  it.each([
    '../../x',
    '13.35.2/../../evil',
    '13.35',
    '13.35.2-rc1',
    ' 13.35.2',
    'vv13.35.2',
    13.35,
    undefined
  ])('refuses the version %j: it would go into URLs and paths', version => {
    expect(parseLatest(latest(version))).toBeUndefined()
  })

  it.each([
    ['not JSON', '<html>502 Bad Gateway</html>'],
    ['null', 'null'],
    ['an array', '[]']
  ])('refuses a body that is %s', (_, body) => {
    expect(parseLatest(body)).toBeUndefined()
  })
})

describe('checksumOf', () => {
  const LINUX_ARCHIVE = archiveName('13.35.2', LINUX)

  it('reads sha256sum lines, text and binary mode, and lower-cases the hash', () => {
    const text = [
      `${HASH}  ${LINUX_ARCHIVE}`,
      `${OTHER_HASH.toUpperCase()} *cnspec_13.35.2_windows_amd64.zip`,
      ''
    ].join('\n')
    expect(checksumOf(text, LINUX_ARCHIVE)).toBe(HASH)
    expect(checksumOf(text, archiveName('13.35.2', WINDOWS))).toBe(OTHER_HASH)
    expect(checksumOf(text, archiveName('13.35.2', MAC))).toBeUndefined()
  })

  it('reads Windows line endings and surrounding blanks', () => {
    expect(checksumOf(`  ${HASH}  ${LINUX_ARCHIVE}  \r\n`, LINUX_ARCHIVE)).toBe(HASH)
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
    expect(checksumOf(line, LINUX_ARCHIVE)).toBeUndefined()
  })

  it('finds the good line among bad ones', () => {
    const text = `garbage\n${HASH}  ${LINUX_ARCHIVE}\n${'x'.repeat(64)}  evil`
    expect(checksumOf(text, LINUX_ARCHIVE)).toBe(HASH)
  })
})
