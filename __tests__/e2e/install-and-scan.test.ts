import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { generateKeyPairSync } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { findLeaks } from '../../sandbox/leaks.js'
import {
  FAST_RETRIES,
  callLog,
  cnspecCalls,
  errorOf,
  harness,
  tempDir,
  type Harness
} from '../helpers.js'

let h: Harness
beforeAll(async () => {
  h = await harness()
})
afterAll(async () => h.sandbox.close())
beforeEach(() => h.sandbox.reset())

const PLATFORM = `linux_${process.arch === 'arm64' ? 'arm64' : 'amd64'}`
const archiveName = (version: string) => `cnspec_${version}_${PLATFORM}.tar.gz`
const archiveRequests = () =>
  h.sandbox.releases.requests.filter(p => p.endsWith('.tar.gz') || p.endsWith('.zip'))
/** No entry, and no private folder of an install left behind. */
const nothingCached = (toolCache: string) => {
  const parent = join(toolCache, 'cnspec', '13.34.0')
  const leftovers = readdirSync(toolCache).filter(name => name.startsWith('.cnspec-'))
  return leftovers.length === 0 && (!existsSync(parent) || readdirSync(parent).length === 0)
}
const sharedCache = () => tempDir('cnspec-shared-cache')

describe('installing cnspec', () => {
  it('cold: downloads the exact version, verifies it, caches it and puts it on PATH', async () => {
    const result = await h.run({
      inputs: { 'cnspec-version': '13.34.0', scan: 'false', status: 'false' }
    })
    expect(errorOf(result)).toBe('')
    expect(result.outputs['cnspec-version']).toBe('13.34.0')
    const binary = result.outputs['cnspec-path']!
    expect(binary).toBe(join(result.dirs.toolCache, 'cnspec', '13.34.0', process.arch, 'cnspec'))
    expect(
      existsSync(`${join(result.dirs.toolCache, 'cnspec', '13.34.0', process.arch)}.complete`)
    ).toBe(true)
    expect(result.addedPath).toContain(
      join(result.dirs.toolCache, 'cnspec', '13.34.0', process.arch)
    )
    expect(result.stdout).toContain(`downloaded ${archiveName('13.34.0')}`)
    expect(result.stdout).toContain('SHA-256 verified')
    expect(archiveRequests()).toEqual([`/cnspec/13.34.0/${archiveName('13.34.0')}`])
    expect(h.sandbox.releases.requests).not.toContain('/cnspec/latest.json')
    // Nothing is left behind in RUNNER_TEMP's download folders.
    expect(readdirSync(result.dirs.temp).filter(d => d.startsWith('cnspec-download-'))).toEqual([])
  })

  it('latest: resolves the version through latest.json', async () => {
    const result = await h.run({ inputs: { scan: 'false', status: 'false' } })
    expect(result.exitCode).toBe(0)
    expect(result.outputs['cnspec-version']).toBe('13.35.2')
    expect(h.sandbox.releases.requests[0]).toBe('/cnspec/latest.json')
    expect(result.stdout).toContain('latest cnspec is 13.35.2')
  })

  it('warm: a second job on the same runner uses the tool cache, without a request', async () => {
    const toolCache = sharedCache()
    const inputs = { 'cnspec-version': 'v13.35.2', scan: 'false', status: 'false' }
    const first = await h.run({ inputs, toolCache })
    expect(first.exitCode).toBe(0)
    h.sandbox.releases.requests.length = 0
    const second = await h.run({ inputs, toolCache })
    expect(second.exitCode).toBe(0)
    expect(h.sandbox.releases.requests).toEqual([])
    expect(second.stdout).toContain('[install] cnspec 13.35.2 found in the tool cache')
    expect(second.outputs['cnspec-path']).toBe(first.outputs['cnspec-path'])
  })

  it('refuses an archive whose checksum does not match, and caches nothing', async () => {
    h.sandbox.releases.corrupt.add(archiveName('13.34.0'))
    const result = await h.run({ inputs: { 'cnspec-version': '13.34.0' } })
    expect(result.exitCode).toBe(1)
    expect(errorOf(result)).toMatch(
      /Checksum mismatch for cnspec_13\.34\.0_linux_\w+\.tar\.gz: downloaded [0-9a-f]{64}, expected [0-9a-f]{64}/
    )
    expect(nothingCached(result.dirs.toolCache)).toBe(true)
    expect(result.exported).toEqual({})
    expect(result.outputs).toEqual({})
  })

  it('refuses an archive with no checksum entry', async () => {
    h.sandbox.releases.unlisted.add(archiveName('13.34.0'))
    const result = await h.run({ inputs: { 'cnspec-version': '13.34.0' } })
    expect(result.exitCode).toBe(1)
    expect(errorOf(result)).toMatch(
      /lists no checksum for cnspec_13\.34\.0_linux_\w+\.tar\.gz; the download cannot be verified, so it is not installed/
    )
    expect(nothingCached(result.dirs.toolCache)).toBe(true)
  })

  it('refuses to install when the checksums file is missing', async () => {
    h.sandbox.releases.withoutChecksums.add('13.34.0')
    const result = await h.run({ inputs: { 'cnspec-version': '13.34.0' } })
    expect(result.exitCode).toBe(1)
    expect(errorOf(result)).toMatch(
      /The checksums file for cnspec 13\.34\.0 is not on the release server \(http:\S+\/cnspec_v13\.34\.0_SHA256SUMS: HTTP 404\)/
    )
    expect(errorOf(result)).toMatch(/cannot be verified/)
    expect(nothingCached(result.dirs.toolCache)).toBe(true)
  })

  it('retries a download cut off mid-body, then installs', async () => {
    h.sandbox.releases.faults.push({ path: '.tar.gz', fault: { kind: 'cut' } })
    const result = await h.run({
      inputs: { 'cnspec-version': '13.34.0', scan: 'false', status: 'false' }
    })
    expect(result.exitCode).toBe(0)
    expect(result.stdout).toMatch(
      /cnspec download: attempt 1 of 6 failed \(.*(cut off|closed mid-response|ECONNRESET|aborted).*\); retrying/
    )
    expect(archiveRequests()).toHaveLength(2)
  })

  it('names version and platform when the archive does not exist', async () => {
    const result = await h.run({ inputs: { 'cnspec-version': '9.9.9' } })
    expect(result.exitCode).toBe(1)
    expect(errorOf(result)).toMatch(
      /The archive for cnspec 9\.9\.9 is not on the release server \(http:\/\/127\.0\.0\.1:\d+\/cnspec\/9\.9\.9\/cnspec_9\.9\.9_linux_\w+\.tar\.gz: HTTP 404\)\. Check "cnspec-version"/
    )
  })

  it.each(['../x', '1.2', 'latest; rm -rf /', '../../etc', '13.35.2/../../x', '$(id)'])(
    'rejects cnspec-version %p before any request',
    async version => {
      const tokensBefore = h.sandbox.oidc.requests
      const result = await h.run({ inputs: { 'cnspec-version': version } })
      expect(result.exitCode).toBe(1)
      expect(errorOf(result)).toMatch(
        /^\[cnspec-keyless\] Input "cnspec-version" must be "latest" or an exact version/
      )
      expect(h.sandbox.releases.requests).toEqual([])
      expect(h.sandbox.oidc.requests).toBe(tokensBefore)
    }
  )

  it('two jobs installing the same version at the same moment both succeed, and the cache is valid', async () => {
    const toolCache = sharedCache()
    const inputs = { 'cnspec-version': '13.34.0', scan: 'false', status: 'false' }
    // The leak check walks the shared cache, so it runs once both runs are over.
    const both = () => h.sandbox.run({ inputs, toolCache, env: FAST_RETRIES })
    const [a, b] = await Promise.all([both(), both()])
    for (const r of [a, b]) expect(findLeaks(r, h.sandbox.secrets())).toEqual([])
    expect([a.exitCode, b.exitCode]).toEqual([0, 0])
    expect(a.outputs['cnspec-path']).toBe(b.outputs['cnspec-path'])
    const dir = join(toolCache, 'cnspec', '13.34.0', process.arch)
    expect(readdirSync(dir)).toEqual(['cnspec'])
    expect(existsSync(`${dir}.complete`)).toBe(true)
    // A third job finds a working binary there.
    h.sandbox.releases.requests.length = 0
    const c = await h.run({ inputs, toolCache })
    expect(c.stdout).toContain('found in the tool cache')
    expect(archiveRequests()).toEqual([])
  })
})

describe('running cnspec', () => {
  it('runs status then scan with the credential, and writes the job summary', async () => {
    const calls = callLog()
    const result = await h.run({ env: { CNSPEC_STANDIN_LOG: calls } })
    expect(errorOf(result)).toBe('')
    expect(cnspecCalls(calls).map(c => [c.argv[0], c.credential])).toEqual([
      ['version', false],
      ['status', true],
      ['scan', true]
    ])
    expect(result.outputs['scan-exit-code']).toBe('0')
    expect(result.stdout).toContain('::group::cnspec status')
    expect(result.stdout).toContain('::group::cnspec scan local')
    expect(result.stdout).toContain('client authenticated successfully')
    expect(result.summary).toContain('13.35.2')
    expect(result.summary).toContain('sandbox-space-123456')
    expect(result.summary).toMatch(/cnspec status<\/td><td>connected/)
    expect(result.summary).toMatch(/cnspec scan<\/td><td>ran \(exit code 0\)/)
    expect(result.summary).toMatch(/install cnspec<\/td><td>\d+\.\d s/)
    expect(result.summary).toMatch(/cnspec scan<\/td><td>\d+\.\d s/)
  })

  it('hands the credential to cnspec even when export-credentials is false', async () => {
    const calls = callLog()
    const result = await h.run({
      inputs: { 'export-credentials': 'false' },
      env: { CNSPEC_STANDIN_LOG: calls }
    })
    expect(result.exitCode).toBe(0)
    expect(result.exported).toEqual({})
    expect(
      cnspecCalls(calls)
        .filter(c => c.argv[0] !== 'version')
        .every(c => c.credential)
    ).toBe(true)
  })

  it('fails on status exit 1 (not registered), exporting nothing', async () => {
    h.sandbox.sts.revokeAll = true
    const result = await h.run()
    expect(result.exitCode).toBe(1)
    expect(errorOf(result)).toMatch(
      /cnspec status exited 1: Mondoo rejected the credential or the service account is not registered/
    )
    expect(result.exported).toEqual({})
    expect(result.outputs['scan-exit-code']).toBeUndefined()
    expect(result.summary).toMatch(/failed \(exit code 1\)/)
  })

  it('fails on status exit 78 (a private key cnspec cannot load)', async () => {
    // A credential that parses, but whose private key is not a key.
    h.sandbox.sts.tamper = c =>
      Buffer.from(
        JSON.stringify({
          ...JSON.parse(c.json),
          private_key:
            '-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5IGF0IGFsbA==\n-----END PRIVATE KEY-----\n'
        })
      ).toString('base64')
    const result = await h.run()
    expect(result.exitCode).toBe(1)
    expect(errorOf(result)).toMatch(
      /cnspec status exited 78: cnspec could not load the credential's private key/
    )
    expect(result.exported).toEqual({})
  })

  it('a key that does not belong to its certificate is an authentication failure: exit 1', async () => {
    h.sandbox.sts.tamper = c => {
      const other = generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).privateKey.export({
        type: 'pkcs8',
        format: 'pem'
      })
      return Buffer.from(JSON.stringify({ ...JSON.parse(c.json), private_key: other })).toString(
        'base64'
      )
    }
    const result = await h.run()
    expect(result.exitCode).toBe(1)
    expect(errorOf(result)).toMatch(/cnspec status exited 1: Mondoo rejected the credential/)
    expect(result.stdout).toContain('ERR authentication failed')
  })

  it('fails a scan whose worst risk reaches the threshold, and says so', async () => {
    const result = await h.run({ inputs: { 'risk-threshold': '50' } })
    expect(result.exitCode).toBe(1)
    expect(result.outputs['scan-exit-code']).toBe('1')
    expect(errorOf(result)).toMatch(/found risk at or above the risk-threshold of 50/)
    expect(errorOf(result)).toContain('local: worst risk 65 (MEDIUM)')
    // The credential worked, so it stays available to later steps such as a report upload.
    expect(result.exported.MONDOO_CONFIG_BASE64).toBeDefined()
  })

  it('passes a scan whose worst risk stays under the threshold', async () => {
    const result = await h.run({ inputs: { 'risk-threshold': '70' } })
    expect(errorOf(result)).toBe('')
    expect(result.outputs['scan-exit-code']).toBe('0')
    expect(result.stdout).toContain(
      "cnspec's worst risk 65 (MEDIUM), under the risk-threshold of 70."
    )
  })

  it('tells a failed scan from a failed threshold', async () => {
    // MONDOO_AUTO_UPDATE=false passes through, and stops provider installs too: the provider
    // is missing on a fresh runner, so cnspec fails before writing any report.
    const result = await h.run({
      inputs: { target: 'fs .', 'risk-threshold': '50' },
      env: { MONDOO_AUTO_UPDATE: 'false' }
    })
    expect(result.exitCode).toBe(1)
    expect(result.outputs['scan-exit-code']).toBe('1')
    expect(errorOf(result)).toMatch(
      /The scan itself failed \(exit code 1\): cnspec wrote no report/
    )
    expect(errorOf(result)).toContain('cannot find installed provider for fs')
  })

  it('scan: false installs and checks status only', async () => {
    const calls = callLog()
    const result = await h.run({ inputs: { scan: 'false' }, env: { CNSPEC_STANDIN_LOG: calls } })
    expect(result.exitCode).toBe(0)
    expect(cnspecCalls(calls).map(c => c.argv[0])).toEqual(['version', 'status'])
    expect(result.outputs['scan-exit-code']).toBeUndefined()
    expect(result.summary).toMatch(/cnspec scan<\/td><td>not run/)
  })

  it('status: false goes straight to the scan', async () => {
    const calls = callLog()
    const result = await h.run({ inputs: { status: 'false' }, env: { CNSPEC_STANDIN_LOG: calls } })
    expect(result.exitCode).toBe(0)
    expect(cnspecCalls(calls).map(c => c.argv[0])).toEqual(['version', 'scan'])
  })

  it('passes a several-word target and quoted args as separate arguments, never through a shell', async () => {
    const calls = callLog()
    const dir = join(tempDir('cnspec-target'), 'my manifests')
    mkdirSync(dir)
    const result = await h.run({
      inputs: {
        target: `k8s "${dir}"`,
        args: `--annotation "team=platform security" --asset-name 'it''s; $(echo pwned)' --detect-cicd=false`,
        output: 'json',
        'log-level': 'debug'
      },
      env: { CNSPEC_STANDIN_LOG: calls }
    })
    expect(errorOf(result)).toBe('')
    const scan = cnspecCalls(calls).find(c => c.argv[0] === 'scan')!
    expect(scan.argv).toEqual([
      'scan',
      'k8s',
      dir,
      '-o',
      'json',
      '--log-level',
      'debug',
      '--annotation',
      'team=platform security',
      '--asset-name',
      'its; $(echo pwned)',
      '--detect-cicd=false'
    ])
    const report = JSON.parse(result.stdout.split('\n').find(line => line.startsWith('{"assets"'))!)
    expect(Object.values(report.assets as Record<string, { name: string }>)[0]!.name).toBe(
      `k8s ${dir}`
    )
  })
})
