import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { judge } from '../../src/scan/judge.js'
import type { AssetResult, ScanReport } from '../../src/scan/report-types.js'
import { SUMMARY_BUDGET, fittedSummary, type RunReport } from '../../src/summary.js'

/** A report whose every string is long and made of what escaping expands most. */
function hostile(assets: number, checks: number, text: string): ScanReport {
  const asset = (i: number): AssetResult => ({
    name: `${i} ${text}`,
    platform: text,
    score: i % 100,
    grade: text,
    counts: { passed: 0, failed: checks, errored: 0, skipped: 0 },
    error: i % 7 === 0 ? text : undefined,
    findings: Array.from({ length: checks }, (_, c) => ({
      ruleId: `r${c}`,
      title: text,
      status: 'fail',
      level: 'error' as const,
      severity: 'HIGH' as const,
      risk: 80,
      message: text,
      location: { path: text, startLine: 1 }
    })),
    packages: Array.from({ length: checks }, () => ({
      name: text,
      installedVersion: text,
      fixedVersion: text,
      severity: 'CRITICAL' as const,
      advisories: [text]
    }))
  })
  return {
    generation: 'rich',
    assets: Array.from({ length: assets }, (_, i) => asset(i)),
    worstRisk: 99
  }
}

function run(report: ScanReport, threshold?: number): RunReport {
  const verdict = judge({
    report,
    exitCode: threshold === undefined ? 0 : 1,
    threshold,
    stderr: ''
  })
  return {
    incognito: false,
    target: 'local',
    scan: {
      exitCode: verdict.exitCode,
      verdict,
      report,
      reportFile: '/tmp/x',
      fellBackToIncognito: false
    },
    timings: [['total', 1000]]
  }
}

describe('the job summary fits GitHub whatever the report', () => {
  it('stays under the budget (half of GitHub 1 MiB) for large reports of hostile text', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 400 }),
        fc.integer({ min: 0, max: 60 }),
        fc.constantFrom('|', '\u0001', '<&>', '𝕏', '\\`*_[]'),
        fc.integer({ min: 1, max: 20000 }),
        fc.option(fc.integer({ min: 0, max: 100 }), { nil: undefined }),
        (assets, checks, unit, repeat, threshold) => {
          const html = fittedSummary(run(hostile(assets, checks, unit.repeat(repeat)), threshold))
          expect(Buffer.byteLength(html)).toBeLessThanOrEqual(SUMMARY_BUDGET)
          expect(html).toMatch(/^<h2>(❌|⚠️|✅) /)
        }
      ),
      { numRuns: 25 }
    )
  })
})
