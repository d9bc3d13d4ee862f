import { createHash, randomBytes } from 'node:crypto'
import type { ServerResponse } from 'node:http'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { tarGz, zip } from './archives.js'
import { tempDir } from './runner.js'
import { type Fault, type Listening, listen, playFault, sendJson } from './server.js'

export const PLATFORMS = [
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

export const STANDIN_PATH = fileURLToPath(new URL('./cnspec-standin.mjs', import.meta.url))

/** The providers served under /providers (releases.mondoo.com/providers), latest versions. */
export const PROVIDERS: Record<string, string> = {
  os: '13.2.1',
  terraform: '13.1.4',
  k8s: '13.0.9',
  github: '13.1.2',
  aws: '13.3.0',
  azure: '13.1.0',
  gcp: '13.1.1'
}

export interface ReleaseServer extends Listening {
  versions: string[]
  latest: string
  /** Every path requested, in order. */
  requests: string[]
  /** Faults played for the first requests whose path contains the key. */
  faults: Array<{ path: string; fault: Fault }>
  /** File names served with one byte changed (their checksums stay the originals). */
  corrupt: Set<string>
  /** File names left out of their SHA256SUMS. */
  unlisted: Set<string>
  /** Versions whose SHA256SUMS file is missing. */
  withoutChecksums: Set<string>
  /** Serves archives this many bytes at a time, every 50 ms (for kill-mid-download tests). */
  throttle: number | undefined
  /** Sends archives one byte every `trickle` ms: never idle, never done. */
  trickle: number | undefined
  /**
   * Answers archive requests with `bytes` of random data instead (sent in 64 KiB chunks), with
   * a Content-Length of `declare` when given; `sent` counts what the client took before it hung up.
   */
  oversize: { bytes: number; declare?: number; sent: number } | undefined
  archive(version: string, platform: string): { name: string; data: Buffer; sha256: string }
  /** Serves one more release for one platform (the benchmark's large archive). */
  addRelease(version: string, platform: string, archive: ReturnType<typeof buildArchive>): void
}

/** Makes an archive the way Mondoo's releases are: only the binary inside. */
export function buildArchive(
  version: string,
  platform: string,
  script = readFileSync(STANDIN_PATH, 'utf8')
) {
  const windows = platform.startsWith('windows')
  const content = Buffer.from(script.replace('__VERSION__', version))
  const name = `cnspec_${version}_${platform}.${windows ? 'zip' : 'tar.gz'}`
  const data = windows
    ? zip([{ name: 'cnspec.exe', content }])
    : tarGz([{ name: 'cnspec', content }])
  return { name, data, sha256: createHash('sha256').update(data).digest('hex') }
}

/**
 * A release whose cnspec is about `bytes` large and compresses like a real binary does not: a
 * shell script that execs the stand-in, followed by random padding sh never reads.
 */
export function paddedArchive(version: string, platform: string, bytes: number) {
  const standin = join(tempDir('cnspec-padded'), 'standin.mjs')
  writeFileSync(standin, readFileSync(STANDIN_PATH, 'utf8').replace('__VERSION__', version))
  const head = Buffer.from(`#!/bin/sh\nexec "${process.execPath}" "${standin}" "$@"\n`)
  const data = tarGz([{ name: 'cnspec', content: Buffer.concat([head, randomBytes(bytes)]) }])
  const sha256 = createHash('sha256').update(data).digest('hex')
  return { name: `cnspec_${version}_${platform}.tar.gz`, data, sha256 }
}

function sendOversize(res: ServerResponse, oversize: NonNullable<ReleaseServer['oversize']>) {
  res.writeHead(200, {
    'Content-Type': 'application/octet-stream',
    ...(oversize.declare !== undefined ? { 'Content-Length': oversize.declare } : {})
  })
  const chunk = randomBytes(64 * 1024)
  const more = (): void => {
    while (!res.destroyed && oversize.sent < oversize.bytes) {
      oversize.sent += chunk.length
      if (!res.write(chunk)) return void res.once('drain', more)
    }
    if (!res.destroyed) res.end()
  }
  more()
}

function sendTrickle(res: ServerResponse, data: Buffer, everyMs: number) {
  res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': data.length })
  let offset = 0
  const timer = setInterval(() => {
    if (res.destroyed || offset >= data.length) return clearInterval(timer)
    res.write(data.subarray(offset, ++offset))
  }, everyMs)
  res.on('close', () => clearInterval(timer))
}

/**
 * Mondoo's release server (releases.mondoo.com/cnspec): latest.json, versioned tar.gz and
 * zip archives holding the cnspec stand-in, and SHA256SUMS, all built at start.
 */
export async function startReleases(
  // 11.61.0 and 11.62.0: either side of credential-mode wif's floor; 13.2.0 (no SARIF),
  // 13.3.2, 13.25.0 and 13.33.0: the SARIF generations.
  versions = ['11.61.0', '11.62.0', '13.2.0', '13.3.2', '13.25.0', '13.33.0', '13.34.0', '13.35.2']
): Promise<ReleaseServer> {
  const script = readFileSync(STANDIN_PATH, 'utf8')
  const archives = new Map<string, ReturnType<typeof buildArchive>>()
  for (const version of versions)
    for (const platform of PLATFORMS)
      archives.set(`${version}/${platform}`, buildArchive(version, platform, script))
  const byName = new Map([...archives.values()].map(a => [a.name, a]))
  const state = {
    versions,
    latest: versions[versions.length - 1] as string,
    requests: [] as string[],
    faults: [] as ReleaseServer['faults'],
    corrupt: new Set<string>(),
    unlisted: new Set<string>(),
    withoutChecksums: new Set<string>(),
    throttle: undefined as number | undefined,
    trickle: undefined as number | undefined,
    oversize: undefined as ReleaseServer['oversize'],
    archive(version: string, platform: string) {
      const found = archives.get(`${version}/${platform}`)
      if (!found) throw new Error(`no archive ${version}/${platform}`)
      return found
    },
    addRelease(version: string, platform: string, archive: ReturnType<typeof buildArchive>) {
      archives.set(`${version}/${platform}`, archive)
      byName.set(archive.name, archive)
      if (!versions.includes(version)) versions.push(version)
    }
  }
  let base = ''
  const server = await listen((req, res) => {
    const path = new URL(req.url ?? '/', base).pathname
    state.requests.push(path)
    const faultIndex = state.faults.findIndex(f => path.includes(f.path))
    const fault = faultIndex >= 0 ? state.faults.splice(faultIndex, 1)[0] : undefined
    const file = byName.get(path.split('/').pop() ?? '')
    if (fault) return playFault(res, fault.fault, file?.data)
    if (path === '/cnspec/latest.json') {
      return sendJson(res, 200, {
        name: 'cnspec',
        version: state.latest,
        files: PLATFORMS.map(platform => {
          const a = state.archive(state.latest, platform)
          return {
            filename: `${base}/cnspec/${state.latest}/${a.name}`,
            platform,
            hash: a.sha256,
            size: a.data.length
          }
        })
      })
    }
    const sums = /^\/cnspec\/([\d.]+)\/cnspec_v([\d.]+)_SHA256SUMS$/.exec(path)
    if (
      sums &&
      sums[1] === sums[2] &&
      versions.includes(sums[1] as string) &&
      !state.withoutChecksums.has(sums[1] as string)
    ) {
      const lines = PLATFORMS.flatMap(p => archives.get(`${sums[1]}/${p}`) ?? [])
        .filter(a => !state.unlisted.has(a.name))
        .map(a => `${a.sha256}  ${a.name}`)
      res.writeHead(200, { 'Content-Type': 'text/plain' })
      res.end(lines.join('\n') + '\n')
      return
    }
    if (file && path === `/cnspec/${file.name.split('_')[1]}/${file.name}`) {
      if (state.oversize) return sendOversize(res, state.oversize)
      if (state.trickle) return sendTrickle(res, file.data, state.trickle)
      let data = file.data
      if (state.corrupt.has(file.name)) {
        data = Buffer.from(data)
        data[data.length - 1] = (data[data.length - 1] as number) ^ 0xff
      }
      res.writeHead(200, {
        'Content-Type': 'application/octet-stream',
        'Content-Length': data.length
      })
      if (!state.throttle) {
        res.end(data)
        return
      }
      const step = state.throttle
      let offset = 0
      const timer = setInterval(() => {
        if (res.destroyed) return clearInterval(timer)
        res.write(data.subarray(offset, offset + step))
        offset += step
        if (offset >= data.length) {
          clearInterval(timer)
          res.end()
        }
      }, 50)
      return
    }
    if (path === '/providers/latest.json')
      return sendJson(res, 200, {
        providers: Object.entries(PROVIDERS).map(([name, version]) => ({ name, version }))
      })
    // The stand-in's provider archives hold a manifest: nothing runs from them.
    const provider =
      /^\/providers\/([a-z0-9-]+)\/([\d.]+)\/\1_\2_([a-z0-9]+_[a-z0-9]+)\.tar\.xz$/.exec(path)
    if (provider && PROVIDERS[provider[1] as string] === provider[2])
      return sendJson(res, 200, { name: provider[1], version: provider[2], platform: provider[3] })
    res.writeHead(404, { 'Content-Type': 'text/plain' })
    res.end('Not Found')
  })
  base = server.url
  return Object.assign(state, server)
}
