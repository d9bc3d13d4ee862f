import { describe, expect, it } from '@jest/globals'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { planAnnotations } from '../../src/scan/annotations.js'
import { codeScanningSarif } from '../../src/scan/code-scanning.js'
import { scanOutputs } from '../../src/scan/outputs.js'
import { readReport } from '../../src/scan/read-report.js'
import { renderLog } from '../../src/scan/render-log.js'
import { validateSarif } from '../sarif-validator.js'
import { fixture, workspace } from './sarif-fixtures.js'
import { tempDir } from '../../sandbox/runner.js'

describe('codeScanningSarif', () => {
  const ws = workspace()
  const paths = { workspace: ws, scannedPath: './infra', cwd: ws }

  it.each(['basic', 'located', 'rich'] as const)(
    '%s: passes the SARIF validator with GitHub rules',
    async name => {
      const file = join(tempDir('cs'), 'report.sarif')
      writeFileSync(file, JSON.stringify(codeScanningSarif(fixture(name), paths, '13.35.2')))
      expect(await validateSarif(file)).toEqual([])
    },
    60000
  )

  it('the validator does find what GitHub rejects in raw cnspec SARIF', async () => {
    // Proves the check above can fail: cnspec's own 13.3.2 report misses rule texts GitHub requires.
    const file = join(tempDir('cs'), 'raw.sarif')
    writeFileSync(file, JSON.stringify(fixture('basic')))
    const errors = await validateSarif(file)
    expect(errors.some(e => e.includes('Error_MissingHelp'))).toBe(true)
  }, 60000)

  it('one run, failures only, repository-relative paths, no category of its own', () => {
    const out = codeScanningSarif(fixture('rich'), paths)
    expect(out.runs).toHaveLength(1)
    const [run] = out.runs
    expect(run!.automationDetails).toBeUndefined()
    expect(run!.results!.map(r => r.ruleId)).toEqual([
      'terraform-aws-s3-encryption',
      'terraform-aws-s3-encryption',
      'terraform-no-public-ingress',
      'os-ssh-root',
      'USN-7000-1',
      'vulnerable-package',
      'asset-error'
    ])
    const uris = run!.results!.map(r => r.locations![0]!.physicalLocation!.artifactLocation!.uri)
    expect(uris).toEqual([
      'infra/main.tf',
      'infra/modules/store/bucket.tf',
      'infra',
      'runner',
      'runner',
      'runner',
      'broken-image'
    ])
    // An anchor is marked as such; cnspec's fingerprints and properties are kept.
    expect(run!.results![2]!.properties).toMatchObject({ anchoredToAsset: 'infra', risk: 55 })
    expect(run!.results![0]!.partialFingerprints).toEqual({
      'https://cnspec.io/fingerprint/v1': 'aa11'
    })
    expect(run!.tool.driver.version).toBe('13.35.2')
    expect((run!.properties!.assets as Array<{ asset: string }>).map(a => a.asset)).toEqual([
      'infra',
      'runner',
      'broken-image'
    ])
  })

  it('fills in rule texts from what cnspec gave, and a missing tool version from the binary', () => {
    const out = codeScanningSarif(fixture('basic'), { workspace: ws }, '13.3.2')
    const rule = out.runs[0]!.tool.driver.rules!.find(r => r.id === 'os-ssh-root')!
    expect(rule.shortDescription).toEqual({ text: 'Root must not log in over SSH.' })
    expect(rule.fullDescription).toEqual({ text: 'Root must not log in over SSH.' })
    expect(rule.help).toEqual({
      text: 'Ensure SSH root login is disabled\n\nRoot must not log in over SSH.'
    })
    const bare = out.runs[0]!.tool.driver.rules!.find(r => r.id === 'os-ok')!
    expect(bare.shortDescription).toEqual({ text: 'os-ok' })
    expect(out.runs[0]!.tool.driver.version).toBe('13.3.2')
    // os-ok passed or was skipped (level none): not a finding.
    expect(out.runs[0]!.results!.map(r => r.ruleId)).toEqual(['os-ssh-root', 'os-tmp'])
  })

  it('drops a location outside the checkout rather than pointing at it', () => {
    const log = fixture('located')
    log.runs[0]!.results![0]!.locations![0]!.physicalLocation!.artifactLocation!.uri = '/etc/passwd'
    const out = codeScanningSarif(log, paths)
    expect(out.runs[0]!.results![0]!.locations![0]!.physicalLocation!.artifactLocation!.uri).toBe(
      'infra'
    )
  })
})

describe('planAnnotations', () => {
  it('located failures inside the repository, by level, highest risk first', () => {
    const ws = workspace()
    const report = readReport(fixture('rich'), { workspace: ws, scannedPath: 'infra', cwd: ws })
    const plan = planAnnotations(report)
    expect(plan.shown.map(a => [a.type, a.properties.file, a.properties.startLine])).toEqual([
      ['error', 'infra/main.tf', 12],
      ['error', 'infra/modules/store/bucket.tf', 3]
    ])
    expect(plan.shown[0]!.properties.title).toBe('cnspec: Ensure S3 buckets are encrypted')
    expect(plan.shown[0]!.message).toBe('Ensure S3 buckets are encrypted · HIGH (risk 80) · infra')
  })
})

describe('renderLog', () => {
  const report = readReport(fixture('rich'), { workspace: workspace(), scannedPath: 'infra' })

  it('compact: failing checks per asset, then packages; titles made inert', () => {
    const lines = renderLog(report, 'compact')
    expect(lines[0]).toBe(
      '■ infra · Terraform Static Analysis · score 20/100 (F) · worst risk 80 (HIGH)'
    )
    expect(lines).toContain('    2 failed · 1 passed · 0 errored · 1 skipped')
    expect(lines.some(l => l.includes('Ensure EKS logging is on'))).toBe(false)
    expect(lines).toContain('    ✕ CRITICAL    openssl 3.0.2 → fixed in 3.0.13  USN-7000-1')
    expect(lines).toContain('■ broken-image · could not be scanned')
    expect(lines.every(l => !/^\s*::/.test(l))).toBe(true)
  })

  it('full adds passed and skipped checks; summary keeps one line per asset', () => {
    expect(renderLog(report, 'full').some(l => l.includes('» SKIPPED'))).toBe(false)
    expect(renderLog(report, 'full').some(l => l.includes('Ensure EKS logging is on'))).toBe(true)
    expect(renderLog(report, 'summary').filter(l => l.startsWith('■'))).toHaveLength(3)
    expect(renderLog(report, 'summary').some(l => l.includes('✕'))).toBe(false)
  })
})

describe('scanOutputs', () => {
  it('from a rich report: counts, worst risk and the worst asset score and grade', () => {
    const report = readReport(fixture('rich'), { workspace: '/ws' })
    expect(scanOutputs(1, report, '/tmp/r.sarif')).toEqual({
      'scan-exit-code': '1',
      'report-file': '/tmp/r.sarif',
      'assets-scanned': '3',
      'asset-errors': '1',
      'checks-failed': '3',
      'checks-passed': '1',
      'worst-risk': '80',
      score: '20',
      grade: 'F'
    })
  })

  it('without a report or scores, leaves unknown values empty', () => {
    expect(scanOutputs(1, undefined, undefined)['assets-scanned']).toBe('')
    const basic = scanOutputs(0, readReport(fixture('basic'), { workspace: '/ws' }), 'f')
    expect(basic).toMatchObject({ 'checks-passed': '', 'worst-risk': '', score: '', grade: '' })
  })
})
