import { describe, expect, it } from '@jest/globals'
import { SUPPORTED, currentPlatform, releasePlatform } from '../../src/install/platform.js'

describe('releasePlatform', () => {
  it.each([
    ['linux', 'x64', undefined, 'LE', 'linux_amd64', 'tar.gz', 'cnspec'],
    ['linux', 'arm64', undefined, 'LE', 'linux_arm64', 'tar.gz', 'cnspec'],
    ['linux', 'ia32', undefined, 'LE', 'linux_386', 'tar.gz', 'cnspec'],
    ['linux', 'arm', '6', 'LE', 'linux_armv6', 'tar.gz', 'cnspec'],
    ['linux', 'arm', 6, 'LE', 'linux_armv6', 'tar.gz', 'cnspec'],
    ['linux', 'arm', '7', 'LE', 'linux_armv7', 'tar.gz', 'cnspec'],
    ['linux', 'arm', 7, 'LE', 'linux_armv7', 'tar.gz', 'cnspec'],
    ['linux', 'ppc64', undefined, 'LE', 'linux_ppc64le', 'tar.gz', 'cnspec'],
    ['linux', 's390x', undefined, 'BE', 'linux_s390x', 'tar.gz', 'cnspec'],
    ['darwin', 'x64', undefined, 'LE', 'darwin_amd64', 'tar.gz', 'cnspec'],
    ['darwin', 'arm64', undefined, 'LE', 'darwin_arm64', 'tar.gz', 'cnspec'],
    ['win32', 'x64', undefined, 'LE', 'windows_amd64', 'zip', 'cnspec.exe'],
    ['win32', 'arm64', undefined, 'LE', 'windows_arm64', 'zip', 'cnspec.exe']
  ] as const)(
    '%s/%s (arm v%s, %s) gets the %s build',
    (os, arch, armVersion, endian, key, extension, binary) => {
      const result = releasePlatform(os, arch, armVersion, endian)
      expect(result).toEqual({
        os: key.split('_')[0],
        arch: key.split('_')[1],
        key,
        extension,
        binary
      })
    }
  )

  it('maps every supported build from some Node platform and arch', () => {
    const nodeOs = { linux: 'linux', darwin: 'darwin', windows: 'win32' } as const
    const nodeArch: Record<string, [string, number?]> = {
      amd64: ['x64'],
      arm64: ['arm64'],
      '386': ['ia32'],
      armv6: ['arm', 6],
      armv7: ['arm', 7],
      ppc64le: ['ppc64'],
      s390x: ['s390x']
    }
    for (const key of SUPPORTED) {
      const [os, arch] = key.split('_') as [keyof typeof nodeOs, string]
      const [node, armVersion] = nodeArch[arch] as [string, number?]
      const result = releasePlatform(nodeOs[os], node, armVersion)
      expect('error' in result ? result.error : result.key).toBe(key)
    }
  })

  it.each([
    ['freebsd', 'x64', undefined, 'LE', 'freebsd/x64'],
    ['openbsd', 'arm64', undefined, 'LE', 'openbsd/arm64'],
    ['aix', 'ppc64', undefined, 'BE', 'aix/ppc64'],
    ['sunos', 'x64', undefined, 'LE', 'sunos/x64'],
    ['linux', 'ppc64', undefined, 'BE', 'linux/ppc64'],
    ['linux', 'riscv64', undefined, 'LE', 'linux/riscv64'],
    ['linux', 'mips', undefined, 'LE', 'linux/mips'],
    ['linux', 'loong64', undefined, 'LE', 'linux/loong64'],
    ['win32', 'ia32', undefined, 'LE', 'win32/ia32'],
    ['win32', 'arm', '7', 'LE', 'win32/arm v7'],
    ['darwin', 'ppc64', undefined, 'LE', 'darwin/ppc64']
  ] as const)(
    'refuses %s/%s, naming the runner and listing the supported builds',
    (os, arch, armVersion, endian, shown) => {
      const result = releasePlatform(os, arch, armVersion, endian)
      expect(result).toEqual({ error: expect.any(String) })
      const error = (result as { error: string }).error
      expect(error).toContain(`cnspec has no build for this runner (${shown})`)
      expect(error).toContain(
        'Supported: linux/amd64, linux/arm64, linux/386, linux/armv6, linux/armv7, linux/ppc64le, linux/s390x, ' +
          'darwin/amd64, darwin/arm64, windows/amd64, windows/arm64.'
      )
      expect(error).toContain('Use a runner of one of these kinds.')
    }
  )

  it('does not let names on the arch table’s prototype through', () => {
    for (const arch of ['constructor', 'toString', '__proto__']) {
      expect(releasePlatform('linux', arch)).toEqual({ error: expect.any(String) })
    }
  })

  it('finds a build for the machine running these tests', () => {
    const result = currentPlatform()
    if ('error' in result) throw new Error(result.error)
    expect(SUPPORTED).toContain(result.key)
    expect(result.binary).toBe(process.platform === 'win32' ? 'cnspec.exe' : 'cnspec')
  })
})

describe('32-bit ARM versions', () => {
  it.each([
    [8, 'linux_armv7'],
    ['8', 'linux_armv7']
  ])('arm v%s runs the %s build', (version, key) => {
    expect(releasePlatform('linux', 'arm', version)).toMatchObject({ key })
  })

  it.each([5, undefined])('arm v%s has no build, and the error says so plainly', version => {
    const result = releasePlatform('linux', 'arm', version)
    expect(result).toHaveProperty('error')
    expect((result as { error: string }).error).not.toContain('undefined')
  })
})
