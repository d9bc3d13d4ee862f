import { describe, expect, it } from '@jest/globals'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { ReportError, readReport } from '../../src/scan/read-report.js'
import { repoPath } from '../../src/scan/repo-path.js'
import { fixture, workspace } from './sarif-fixtures.js'

describe('readReport: 13.33 rich SARIF', () => {
  const ws = workspace()
  const report = readReport(fixture('rich'), { workspace: ws, scannedPath: './infra', cwd: ws })

  it('reads one asset per run with platform, score, grade and counts', () => {
    expect(report.generation).toBe('rich')
    expect(report.cnspecVersion).toBe('13.35.2')
    expect(report.assets.map(a => [a.name, a.platform, a.score, a.grade])).toEqual([
      ['infra', 'Terraform Static Analysis', 20, 'D'],
      ['runner', 'Ubuntu 24.04', 65, 'B'],
      ['broken-image', undefined, undefined, undefined]
    ])
    expect(report.assets[0]!.counts).toEqual({ passed: 1, failed: 2, errored: 0, skipped: 1 })
  })

  it('takes the worst risk from the lowest asset score', () => {
    expect(report.worstRisk).toBe(80)
  })

  it('reads a finding with risk, severity, message and a repository-relative location', () => {
    const [first, second, third] = report.assets[0]!.findings
    expect(first).toEqual({
      ruleId: 'terraform-aws-s3-encryption',
      title: 'Ensure S3 buckets are encrypted',
      status: 'fail',
      level: 'error',
      risk: 80,
      severity: 'HIGH',
      securitySeverity: '8.0',
      location: { path: 'infra/main.tf', startLine: 12, endLine: 18 }
    })
    expect(second!.location).toEqual({
      path: 'infra/modules/store/bucket.tf',
      startLine: 3,
      endLine: 9
    })
    // Untrusted text is kept as it was; renderers escape it.
    expect(third!.title).toContain('::warning::pwned')
    expect(third!.message).toBe('port 22 open')
    expect(third!.location).toBeUndefined()
  })

  it('reads passed and skipped checks with their status', () => {
    expect(report.assets[0]!.findings.slice(3).map(f => [f.status, f.level])).toEqual([
      ['pass', 'none'],
      ['skip', 'none']
    ])
  })

  it('reads vulnerable packages apart from checks', () => {
    const runner = report.assets[1]!
    expect(runner.findings.map(f => f.ruleId)).toEqual(['os-ssh-root'])
    expect(runner.packages).toEqual([
      {
        name: 'openssl',
        installedVersion: '3.0.2',
        fixedVersion: '3.0.13',
        severity: 'CRITICAL',
        advisories: ['USN-7000-1']
      },
      {
        name: 'zlib',
        installedVersion: '1.2.11',
        fixedVersion: undefined,
        severity: 'LOW',
        advisories: []
      }
    ])
  })

  it('one package under two advisories (two results) is one package with both', () => {
    const log = fixture('rich')
    const run = log.runs[1]!
    const openssl = run.results!.find(r => r.properties?.package === 'openssl')!
    run.results!.push({
      ...openssl,
      ruleId: 'USN-7011-1',
      properties: { ...openssl.properties, advisory: 'USN-7011-1', severity: 'MEDIUM' }
    })
    run.properties = { ...run.properties, packagesAffected: 2 }
    const runner = readReport(log, { workspace: ws }).assets[1]!
    expect(runner.packages.map(p => [p.name, p.severity, p.advisories])).toEqual([
      ['openssl', 'CRITICAL', ['USN-7000-1', 'USN-7011-1']],
      ['zlib', 'LOW', []]
    ])
    expect(runner.packagesAffected).toBe(2)
  })

  it('reads an asset-error result as the asset error, not as a finding', () => {
    const broken = report.assets[2]!
    expect(broken.error).toBe('failed to resolve image: manifest unknown')
    expect(broken.findings).toEqual([])
    expect(broken.counts).toEqual({ passed: 0, failed: 0, errored: 0, skipped: 0 })
  })
})

describe('readReport: 13.25 located SARIF', () => {
  const ws = workspace()
  const report = readReport(fixture('located'), {
    workspace: ws,
    scannedPath: 'infra',
    cwd: ws
  })

  it('has locations but no scores: nothing is invented', () => {
    expect(report.generation).toBe('located')
    expect(report.worstRisk).toBeUndefined()
    const [asset] = report.assets
    expect(asset!.score).toBeUndefined()
    expect(asset!.grade).toBeUndefined()
    expect(asset!.findings[0]).toEqual({
      ruleId: 'terraform-aws-s3-encryption',
      title: 'Ensure S3 buckets are encrypted',
      status: 'fail',
      level: 'error',
      location: { path: 'infra/main.tf', startLine: 12, endLine: 18 }
    })
  })

  it('does not tell passed from skipped checks, as the report does not', () => {
    const [asset] = report.assets
    expect(asset!.counts).toEqual({ passed: 0, failed: 1, errored: 0, skipped: 0 })
    expect(asset!.passedOrSkipped).toBe(2)
  })
})

describe('readReport: 13.3.2 basic SARIF', () => {
  const report = readReport(fixture('basic'), { workspace: '/ws' })

  it('reads titles, levels and messages, and no risk or severity', () => {
    expect(report.generation).toBe('basic')
    const [asset] = report.assets
    expect(asset!.name).toBe('runner')
    expect(asset!.platform).toBe('Ubuntu 24.04')
    expect(asset!.findings.map(f => [f.title, f.level, f.status, f.risk, f.severity])).toEqual([
      ['Ensure SSH root login is disabled', 'error', 'fail', undefined, undefined],
      ['Ensure /tmp is a separate partition', 'warning', 'fail', undefined, undefined],
      ['os-ok', 'none', 'pass or skip', undefined, undefined]
    ])
    expect(asset!.findings[0]!.message).toBe('sshd allows root\n\nexpected: no\nactual: yes')
    expect(asset!.counts.failed).toBe(2)
  })

  it('reads an asset error without run properties from the logical location', () => {
    const sarif = {
      version: '2.1.0',
      runs: [
        {
          tool: { driver: { name: 'cnspec', rules: [{ id: 'asset-error' }] } },
          results: [
            {
              ruleId: 'asset-error',
              level: 'error',
              message: { text: 'Asset k8s-manifest: could not parse manifest' },
              locations: [{ logicalLocations: [{ name: 'k8s-manifest', kind: 'asset' }] }]
            }
          ]
        }
      ]
    }
    const [asset] = readReport(sarif, { workspace: '/ws' }).assets
    expect(asset!.name).toBe('k8s-manifest')
    expect(asset!.error).toBe('could not parse manifest')
  })
})

describe('readReport: not a report', () => {
  it.each([null, 'text', {}, { runs: 'x' }, [1]])('refuses %p', value => {
    expect(() => readReport(value, { workspace: '/ws' })).toThrow(ReportError)
  })

  it('reads an empty SARIF log as no assets', () => {
    expect(readReport({ version: '2.1.0', runs: [] }, { workspace: '/ws' })).toEqual({
      generation: 'basic',
      assets: []
    })
  })
})

describe('repoPath: every form cnspec may write a path in', () => {
  const ws = workspace()
  const infra = { workspace: ws, scannedPath: './infra', cwd: ws }

  it.each([
    ['relative to the scanned directory', 'main.tf', 'infra/main.tf'],
    ['relative to the working directory', 'infra/main.tf', 'infra/main.tf'],
    ['absolute', join(ws, 'infra', 'main.tf'), 'infra/main.tf'],
    ['a file:// URI', pathToFileURL(join(ws, 'infra', 'main.tf')).href, 'infra/main.tf'],
    [
      'nested, relative to the scanned directory',
      'modules/store/bucket.tf',
      'infra/modules/store/bucket.tf'
    ],
    ['with ./', './modules/store/bucket.tf', 'infra/modules/store/bucket.tf']
  ])('%s', (_, uri, expected) => {
    expect(repoPath(uri, infra)).toEqual({ path: expected, inRepository: true })
  })

  it('scanning the repository root (fs .)', () => {
    const root = { workspace: ws, scannedPath: '.', cwd: ws }
    expect(repoPath('infra/main.tf', root)?.path).toBe('infra/main.tf')
    expect(repoPath('main.tf', root)?.path).toBe('main.tf')
  })

  it('an absolute scanned path', () => {
    const abs = { workspace: ws, scannedPath: join(ws, 'infra'), cwd: ws }
    expect(repoPath('main.tf', abs)?.path).toBe('infra/main.tf')
  })

  it('a scanned file: paths start from its directory', () => {
    const file = { workspace: ws, scannedPath: 'infra/main.tf', cwd: ws }
    expect(repoPath('modules/store/bucket.tf', file)?.path).toBe('infra/modules/store/bucket.tf')
  })

  it('a file that no longer exists: a path starting with the scanned directory is cwd-relative', () => {
    expect(repoPath('infra/gone.tf', infra)?.path).toBe('infra/gone.tf')
    expect(repoPath('gone.tf', infra)?.path).toBe('infra/gone.tf')
  })

  it('percent-encoded paths are decoded', () => {
    mkdirSync(join(ws, 'infra', 'my dir'), { recursive: true })
    writeFileSync(join(ws, 'infra', 'my dir', 'x.tf'), '')
    expect(repoPath('my%20dir/x.tf', infra)?.path).toBe('infra/my dir/x.tf')
  })

  it('a path outside the workspace stays absolute and is marked so', () => {
    expect(repoPath('/etc/passwd', infra)).toEqual({ path: '/etc/passwd', inRepository: false })
    expect(repoPath('../../x.tf', infra)?.inRepository).toBe(false)
  })

  it('a URI of another scheme is no file', () => {
    expect(repoPath('https://example.com/x.tf', infra)).toBeUndefined()
  })
})
