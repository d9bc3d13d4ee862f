import { describe, expect, it } from '@jest/globals'
import { randomBytes } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import type * as Sarif from 'sarif'
import { planAnnotations } from '../../src/scan/annotations.js'
import { LIMITS, codeScanningSarif, trimmedNote } from '../../src/scan/code-scanning.js'
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
      writeFileSync(file, JSON.stringify(codeScanningSarif(fixture(name), paths, '13.35.2').log))
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
    const out = codeScanningSarif(fixture('rich'), paths).log
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
    const log = fixture('basic')
    delete log.runs[0]!.tool.driver.rules!.find(r => r.id === 'os-tmp')!.name
    const out = codeScanningSarif(log, { workspace: ws }, '13.3.2').log
    const rule = out.runs[0]!.tool.driver.rules!.find(r => r.id === 'os-ssh-root')!
    expect(rule.shortDescription).toEqual({ text: 'Root must not log in over SSH.' })
    expect(rule.fullDescription).toEqual({ text: 'Root must not log in over SSH.' })
    expect(rule.help).toEqual({
      text: 'Ensure SSH root login is disabled\n\nRoot must not log in over SSH.'
    })
    const bare = out.runs[0]!.tool.driver.rules!.find(r => r.id === 'os-tmp')!
    expect(bare.shortDescription).toEqual({ text: 'os-tmp' })
    expect(out.runs[0]!.tool.driver.version).toBe('13.3.2')
    // os-ok passed or was skipped (level none): not a finding, so its rule is left out too.
    expect(out.runs[0]!.results!.map(r => r.ruleId)).toEqual(['os-ssh-root', 'os-tmp'])
    expect(out.runs[0]!.tool.driver.rules!.map(r => r.id)).not.toContain('os-ok')
  })

  it('drops a location outside the checkout rather than pointing at it', () => {
    const log = fixture('located')
    log.runs[0]!.results![0]!.locations![0]!.physicalLocation!.artifactLocation!.uri = '/etc/passwd'
    const out = codeScanningSarif(log, paths).log
    expect(out.runs[0]!.results![0]!.locations![0]!.physicalLocation!.artifactLocation!.uri).toBe(
      'infra'
    )
  })
})

describe("codeScanningSarif within GitHub's upload limits", () => {
  const ws = workspace()
  const result = (i: number, risk: number, extra: Partial<Sarif.Result> = {}): Sarif.Result => ({
    ruleId: `check-${i}`,
    kind: 'fail',
    level: 'error',
    rank: risk,
    message: { text: `finding ${i}` },
    properties: { risk },
    ...extra
  })
  const log = (results: Sarif.Result[], rules: Sarif.ReportingDescriptor[]): Sarif.Log => ({
    version: '2.1.0',
    runs: [{ tool: { driver: { name: 'cnspec', rules } }, results, properties: { asset: 'a' } }]
  })
  const rule = (i: number, tags = ['security', 'cnspec']): Sarif.ReportingDescriptor => ({
    id: `check-${i}`,
    name: `Check ${i}`,
    properties: { tags }
  })

  it("keeps the 25,000 highest-risk results in cnspec's order, and only the rules they use", () => {
    const n = 30000
    const risks = Array.from({ length: n }, (_, i) => (i * 7919) % 101)
    const rules = risks.map((_, i) => rule(i))
    const { log: out, trimmed } = codeScanningSarif(
      log(
        risks.map((risk, i) => result(i, risk)),
        rules
      ),
      { workspace: ws }
    )
    const kept = out.runs[0]!.results!
    expect(kept).toHaveLength(25000)
    const keptIds = new Set(kept.map(r => r.ruleId))
    const dropped = risks.filter((_, i) => !keptIds.has(`check-${i}`))
    expect(Math.min(...kept.map(r => r.rank!))).toBeGreaterThanOrEqual(Math.max(...dropped))
    const order = kept.map(r => Number(r.ruleId!.slice(6)))
    expect(order).toEqual([...order].sort((a, b) => a - b))
    expect(out.runs[0]!.tool.driver.rules).toHaveLength(25000)
    expect(trimmed).toEqual({
      kept: 25000,
      total: n,
      rulesWithTagsCut: 0,
      resultsWithLocationsCut: 0,
      bySize: false
    })
    expect(trimmedNote(trimmed!, 'cnspec.sarif')).toBe(
      'The code-scanning report (report-file) leaves out 5000 of its 30000 results, the lowest-risk ones ' +
        "(GitHub accepts at most 25,000 results per upload), so that GitHub accepts it. cnspec's full " +
        'report is cnspec.sarif, beside it: keep both with actions/upload-artifact.'
    )
  })

  it('an asset error is kept before any finding', () => {
    const results = Array.from({ length: 25000 }, (_, i) => result(i, 100))
    results.push({ ruleId: 'asset-error', level: 'error', kind: 'fail', message: { text: 'x' } })
    const { log: out } = codeScanningSarif(log(results, [rule(0)]), { workspace: ws })
    expect(out.runs[0]!.results!.at(-1)!.ruleId).toBe('asset-error')
  })

  it("cuts a rule's tags to the first 20 and a result's locations to 1,000", async () => {
    const tags = ['security', 'cnspec', ...Array.from({ length: 28 }, (_, k) => `compliance/f${k}`)]
    const locations = Array.from({ length: 1500 }, (_, k) => ({
      physicalLocation: {
        artifactLocation: { uri: 'main.tf' },
        region: { startLine: k + 1 }
      }
    }))
    writeFileSync(join(ws, 'main.tf'), 'x\n')
    const { log: out, trimmed } = codeScanningSarif(
      log([result(0, 80, { locations })], [rule(0, tags)]),
      { workspace: ws, cwd: ws }
    )
    expect(out.runs[0]!.tool.driver.rules![0]!.properties!.tags).toEqual(tags.slice(0, 20))
    expect(out.runs[0]!.results![0]!.locations).toHaveLength(1000)
    expect(trimmed).toMatchObject({
      kept: 1,
      total: 1,
      rulesWithTagsCut: 1,
      resultsWithLocationsCut: 1
    })
    const file = join(tempDir('cs'), 'trimmed.sarif')
    writeFileSync(file, JSON.stringify(out))
    expect(await validateSarif(file)).toEqual([])
  }, 60000)

  it('drops the lowest-risk results until the file is under 10 MB gzipped', () => {
    // Random text does not compress: 20,000 results of 700 characters pass 10 MB gzipped.
    const results = Array.from({ length: 20000 }, (_, i) =>
      result(i, i % 100, { message: { text: randomBytes(525).toString('base64') } })
    )
    const { log: out, trimmed } = codeScanningSarif(log(results, [rule(0)]), { workspace: ws })
    expect(trimmed!.bySize).toBe(true)
    expect(trimmed!.kept).toBeLessThan(20000)
    expect(gzipSync(JSON.stringify(out)).length).toBeLessThan(LIMITS.gzippedBytes)
    const kept = out.runs[0]!.results!
    const keptRisk = Math.min(...kept.map(r => r.rank!))
    expect(results.filter(r => r.rank! > keptRisk).length).toBeLessThanOrEqual(kept.length)
  }, 60000)
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
    expect(plan.shown[0]!.message).toBe(
      'Ensure S3 buckets are encrypted · HIGH (risk 80) · infra · infra/main.tf:12-18'
    )
  })
})

describe('renderLog', () => {
  const report = readReport(fixture('rich'), { workspace: workspace(), scannedPath: 'infra' })

  it('compact: failing checks per asset, then packages; titles made inert', () => {
    const lines = renderLog(report, 'compact')
    expect(lines[0]).toBe(
      '■ infra · Terraform Static Analysis · score 20/100 (D) · worst risk 80 (HIGH)'
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
      grade: 'D'
    })
  })

  it('without a report or scores, leaves unknown values empty', () => {
    expect(scanOutputs(1, undefined, undefined)['assets-scanned']).toBe('')
    const basic = scanOutputs(0, readReport(fixture('basic'), { workspace: '/ws' }), 'f')
    expect(basic).toMatchObject({ 'checks-passed': '', 'worst-risk': '', score: '', grade: '' })
  })

  it.each([
    ['grade', { grade: 'F\n::add-mask::x' }, 'grade'],
    ['grade', { grade: 'A+' }, 'grade'],
    ['score', { score: 1e308 }, 'score'],
    ['score', { score: 20.5 }, 'score'],
    ['score', { score: -1 }, 'score']
  ] as const)(
    'a %s that is not what the output promises (%p) leaves it empty, with a warning',
    (_, props, output) => {
      const log = fixture('rich')
      for (const run of log.runs) run.properties = { ...run.properties, ...props }
      const warnings: string[] = []
      const outputs = scanOutputs(1, readReport(log, { workspace: '/ws' }), 'f', w =>
        warnings.push(w)
      )
      expect(outputs[output]).toBe('')
      expect(warnings.some(w => w.includes(`the ${output} output is left empty`))).toBe(true)
      for (const w of warnings) expect(w).not.toContain('\n')
      if (output === 'score') expect(outputs['worst-risk']).toBe('')
    }
  )
})
