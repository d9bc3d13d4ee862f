import { describe, expect, it } from '@jest/globals'
import { judge, lastErrorLines } from '../../src/scan/judge.js'
import { readReport } from '../../src/scan/read-report.js'
import type { ScanReport } from '../../src/scan/report-types.js'
import { fixture, type Generation } from './sarif-fixtures.js'

const read = (name: Generation): ScanReport => readReport(fixture(name), { workspace: '/ws' })

/** The rich fixture without its errored asset: a clean scan with scores. */
function scored(): ScanReport {
  const report = read('rich')
  return { ...report, assets: report.assets.filter(a => !a.error) }
}

const FATAL =
  'INF discover assets\nDBG noise\nFTL failed to resolve policy error="rpc error: code = NotFound"\n'

describe('judge', () => {
  it('asset-error result: fails naming the asset and cnspec message, whatever the exit code or threshold', () => {
    for (const exitCode of [0, 1]) {
      const verdict = judge({ report: read('rich'), exitCode, stderr: '' })
      expect(verdict.kind).toBe('asset-error')
      expect(verdict.ok).toBe(false)
      expect(verdict.message).toMatch(
        /^cnspec could not scan broken-image: failed to resolve image: manifest unknown\n/
      )
      expect(verdict.message).toContain(
        "The other 2 assets were scanned (3 failing checks and 2 vulnerable packages; worst severity CRITICAL (vulnerable package openssl); cnspec's worst risk 80 (HIGH))."
      )
    }
  })

  it('report, no asset error, exit 1: the threshold, the assets over it and the top checks', () => {
    const verdict = judge({ report: scored(), exitCode: 1, threshold: 50, stderr: '' })
    expect(verdict).toMatchObject({ kind: 'threshold', ok: false, exitCode: 1, threshold: 50 })
    expect(verdict.message).toContain('at or above the risk-threshold of 50')
    expect(verdict.message).toContain('infra: worst risk 80 (HIGH)')
    // runner's risk 35 is under the threshold: not named as over it.
    expect(verdict.message).not.toContain('runner: worst risk')
    expect(verdict.message).toContain(
      'Top failing checks: Ensure S3 buckets are encrypted (HIGH); Restrict ingress'
    )
    expect(verdict.message).toContain('Ensure SSH root login is disabled (LOW)')
  })

  it('threshold verdict makes cnspec text inert', () => {
    const verdict = judge({ report: scored(), exitCode: 1, threshold: 50, stderr: '' })
    expect(verdict.message).not.toMatch(/(^|\n)\s*::/)
  })

  it('threshold reached on SARIF without scores: says which checks, never a made-up risk', () => {
    const verdict = judge({ report: read('located'), exitCode: 1, threshold: 10, stderr: '' })
    expect(verdict.kind).toBe('threshold')
    expect(verdict.message).toContain('which asset reached it is not known; 13.33.0 adds them')
    expect(verdict.message).toContain('Ensure S3 buckets are encrypted (error)')
    expect(verdict.message).not.toMatch(/risk \d/)
  })

  it('no report: the scan failed, with cnspec last error lines only', () => {
    const verdict = judge({ exitCode: 1, threshold: 50, stderr: FATAL })
    expect(verdict.kind).toBe('scan-failed')
    expect(verdict.ok).toBe(false)
    expect(verdict.message).toContain(
      'The scan itself failed (exit code 1): cnspec wrote no report'
    )
    expect(verdict.message).toContain('FTL failed to resolve policy')
    expect(verdict.message).not.toContain('DBG noise')
    expect(verdict.message).toContain('Check "target" and "args"')
  })

  it('an empty report file (every asset failed): no asset could be scanned, not a broken scan', () => {
    const verdict = judge({
      exitCode: 1,
      emptyReport: true,
      stderr:
        'ERR unable to create runtime for asset error="stat /w/x: no such file or directory" asset=x\n' +
        'FTL failed to write report to output target error="no policy bundle found"\n'
    })
    expect(verdict).toMatchObject({ kind: 'asset-error', ok: false, exitCode: 1 })
    expect(verdict.message).toMatch(
      /^cnspec could not scan any asset of the target \(exit code 1\)/
    )
    expect(verdict.message).toContain('no such file or directory')
    expect(verdict.message).toContain('check that the target exists')
  })

  it("a threshold from the job's environment is named in the verdict", () => {
    const over = judge({
      report: scored(),
      exitCode: 1,
      threshold: 30,
      thresholdFrom: "set by MONDOO_RISK_THRESHOLD in the job's environment",
      stderr: ''
    })
    expect(over.kind).toBe('threshold')
    expect(over.message).toMatch(
      /^The scan found risk at or above the risk threshold of 30 \(set by MONDOO_RISK_THRESHOLD in the job's environment\)/
    )
    const under = judge({
      report: scored(),
      exitCode: 0,
      threshold: 90,
      thresholdFrom: 'set by MONDOO_RISK_THRESHOLD',
      stderr: ''
    })
    expect(under.message).toMatch(
      /under the risk threshold of 90 \(set by MONDOO_RISK_THRESHOLD\)\.$/
    )
  })

  it('no report and exit 0 is still a failure', () => {
    expect(judge({ exitCode: 0, stderr: '' })).toMatchObject({
      kind: 'scan-failed',
      ok: false
    })
  })

  it('exit 0 with findings and no threshold: no "passed", but what was found and why the step stays green', () => {
    const verdict = judge({ report: scored(), exitCode: 0, stderr: '' })
    expect(verdict).toMatchObject({ kind: 'passed', ok: true })
    expect(verdict.message).toBe(
      "Found 3 failing checks and 2 vulnerable packages on 2 assets; worst severity CRITICAL (vulnerable package openssl); cnspec's worst risk 80 (HIGH). " +
        'No risk threshold set, so the step does not fail: set "risk-threshold" to fail it ' +
        "(e.g. 70: fail when cnspec's worst risk is HIGH or CRITICAL)."
    )
  })

  it('exit 0 with nothing found and no threshold: passed', () => {
    const report = scored()
    const clean = {
      ...report,
      assets: report.assets.map(a => ({
        ...a,
        counts: { ...a.counts, failed: 0 },
        findings: a.findings.filter(f => f.status === 'pass'),
        packages: [],
        packagesAffected: 0
      }))
    }
    expect(judge({ report: clean, exitCode: 0, stderr: '' }).message).toBe(
      "Scan passed: 0 failing checks on 2 assets; cnspec's worst risk 80 (HIGH); no risk threshold set."
    )
  })

  it('exit 0 under a threshold names it', () => {
    const verdict = judge({ report: scored(), exitCode: 0, threshold: 90, stderr: '' })
    expect(verdict.message).toMatch(/^Scan passed: .*, under the risk-threshold of 90\.$/)
  })

  it('exit 0 without scores says so rather than inventing one', () => {
    const verdict = judge({ report: read('basic'), exitCode: 0, stderr: '' })
    expect(verdict.message).toMatch(
      /^Found 2 failing checks on 1 asset; this cnspec writes no scores in its SARIF report \(13\.33\.0 adds them\)\. No risk threshold set/
    )
  })

  it('exit 1 with a report but no threshold set is not a threshold verdict', () => {
    const verdict = judge({ report: scored(), exitCode: 1, stderr: 'ERR output handler failed\n' })
    expect(verdict.kind).toBe('scan-failed')
    expect(verdict.message).toContain('no risk threshold was set, yet it exited 1')
    expect(verdict.message).toContain('ERR output handler failed')
  })

  it('exit 1 with a worst risk under the threshold contradicts the report: not a threshold verdict', () => {
    const verdict = judge({ report: scored(), exitCode: 1, threshold: 90, stderr: '' })
    expect(verdict.kind).toBe('scan-failed')
    expect(verdict.message).toContain('worst risk of 80, under the threshold of 90')
  })

  it.each([2, 137, -1])('exit %d with a report is a failed scan', exitCode => {
    expect(judge({ report: scored(), exitCode, threshold: 10, stderr: '' }).kind).toBe(
      'scan-failed'
    )
  })
})

describe('lastErrorLines', () => {
  it('prefers error lines, keeps the last five, and makes them inert', () => {
    const stderr = Array.from({ length: 8 }, (_, i) => `ERR problem ${i}`).join('\n') + '\n'
    expect(lastErrorLines(stderr)).toEqual([
      'ERR problem 3',
      'ERR problem 4',
      'ERR problem 5',
      'ERR problem 6',
      'ERR problem 7'
    ])
    expect(lastErrorLines('::error::x\n\u001b[31mFTL boom\u001b[0m')).toEqual(['FTL boom'])
    expect(lastErrorLines('::set-output name=a::b\n')).toEqual([': :set-output name=a::b'])
  })
})
