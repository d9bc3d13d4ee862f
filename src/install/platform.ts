import { endianness } from 'node:os'

/** A cnspec release build: the part of the archive name after the version. */
export interface ReleasePlatform {
  os: 'linux' | 'darwin' | 'windows'
  arch: string
  /** `linux_amd64`, the form latest.json uses. */
  key: string
  extension: 'tar.gz' | 'zip'
  binary: 'cnspec' | 'cnspec.exe'
}

export const SUPPORTED = [
  'linux_amd64',
  'linux_arm64',
  'linux_386',
  'linux_armv6',
  'linux_armv7',
  'linux_ppc64le',
  'linux_s390x',
  'darwin_amd64',
  'darwin_arm64',
  'windows_amd64',
  'windows_arm64'
]

/** Maps Node's platform and arch to the build Mondoo publishes, or explains what is supported. */
export function releasePlatform(
  platform: NodeJS.Platform,
  arch: string,
  armVersion?: string | number,
  endianness: 'BE' | 'LE' = 'LE'
): ReleasePlatform | { error: string } {
  const os =
    platform === 'win32'
      ? 'windows'
      : platform === 'darwin'
        ? 'darwin'
        : platform === 'linux'
          ? 'linux'
          : undefined
  const archs: Record<string, string | undefined> = {
    x64: 'amd64',
    arm64: 'arm64',
    ia32: '386',
    // Mondoo builds armv6 and armv7; an ARMv8 CPU in 32-bit mode runs armv7 code.
    arm: ({ 6: 'armv6', 7: 'armv7', 8: 'armv7' } as Record<number, string>)[Number(armVersion)],
    ppc64: endianness === 'LE' ? 'ppc64le' : undefined,
    s390x: 's390x'
  }
  const releaseArch = archs[arch]
  const key = `${os}_${releaseArch}`
  if (!os || !releaseArch || !SUPPORTED.includes(key)) {
    return {
      error:
        `cnspec has no build for this runner (${platform}/${arch}${arch === 'arm' && armVersion !== undefined ? ` v${armVersion}` : ''}). ` +
        `Supported: ${SUPPORTED.map(k => k.replace('_', '/')).join(', ')}. Use a runner of one of these kinds.`
    }
  }
  return {
    os,
    arch: releaseArch,
    key,
    extension: os === 'windows' ? 'zip' : 'tar.gz',
    binary: os === 'windows' ? 'cnspec.exe' : 'cnspec'
  }
}

export function currentPlatform(): ReturnType<typeof releasePlatform> {
  const variables = (process.config.variables ?? {}) as unknown as Record<string, unknown>
  return releasePlatform(
    process.platform,
    process.arch,
    variables.arm_version as string | undefined,
    endianness()
  )
}
