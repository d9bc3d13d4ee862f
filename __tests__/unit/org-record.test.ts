import { expect, it } from '@jest/globals'
import { parseRecord } from '../../src/org/records.js'
import { recordOf, type KindResult } from '../../src/org/scan-repository.js'
import type { AssetResult, ScanReport, VerdictKind } from '../../src/scan/report-types.js'

const asset = (
  name: string,
  score: number,
  failed: number,
  extra: Partial<AssetResult> = {}
): AssetResult => ({
  name,
  score,
  grade: score >= 80 ? 'B' : 'D',
  counts: { passed: 10, failed, errored: 0, skipped: 1 },
  findings: [],
  packages: [],
  ...extra
})
const report = (...assets: AssetResult[]): ScanReport => ({
  generation: 'rich',
  assets,
  worstRisk: 100 - Math.min(...assets.map(a => a.score ?? 100))
})
const result = (
  kind: 'settings' | 'code',
  verdict: VerdictKind,
  scan?: ScanReport,
  message: string = verdict
): KindResult => ({
  kind,
  verdict: {
    kind: verdict,
    ok: verdict === 'passed',
    exitCode: verdict === 'passed' ? 0 : 1,
    message
  },
  report: scan
})

it('keeps the worst verdict and risk of the settings and code scans, and sums their counts', () => {
  const record = recordOf(
    'acme/api',
    [
      result('settings', 'passed', report(asset('acme/api', 85, 2))),
      result('code', 'threshold', report(asset('api', 30, 7)))
    ],
    1234
  )
  expect(record).toEqual({
    repository: 'acme/api',
    verdict: 'threshold',
    ok: false,
    worstRisk: 70,
    score: 30,
    grade: 'D',
    assetsScanned: 2,
    assetErrors: 0,
    checksFailed: 9,
    checksPassed: 20,
    durationMs: 1234
  })
})

it('a scan that failed outranks a threshold, and its reason is kept, one line per kind', () => {
  const record = recordOf(
    'acme/web',
    [
      result('settings', 'threshold', report(asset('acme/web', 10, 3))),
      result(
        'code',
        'scan-failed',
        undefined,
        'could not clone acme/web: repository not found\nmore detail'
      )
    ],
    1
  )
  expect(record.verdict).toBe('scan-failed')
  expect(record.error).toBe('code: could not clone acme/web: repository not found')
  expect(record.worstRisk).toBe(90)
})

it('counts assets that errored', () => {
  const record = recordOf(
    'acme/x',
    [
      result(
        'settings',
        'asset-error',
        report(asset('acme/x', 90, 0), asset('y', 100, 0, { error: 'boom' })),
        'cnspec could not scan y: boom'
      )
    ],
    1
  )
  expect(record).toMatchObject({
    verdict: 'asset-error',
    assetErrors: 1,
    assetsScanned: 2,
    error: 'settings: cnspec could not scan y: boom'
  })
})

it('reads back what it wrote, and bounds what it does not trust', () => {
  const record = recordOf(
    'acme/api',
    [result('settings', 'passed', report(asset('acme/api', 85, 2)))],
    5
  )
  expect(parseRecord(JSON.parse(JSON.stringify(record)))).toEqual(record)
  expect(
    parseRecord({
      repository: 'a/b',
      verdict: 'rm -rf',
      ok: true,
      worstRisk: 400,
      checksFailed: -3,
      error: 'x'.repeat(5000)
    })
  ).toEqual({
    repository: 'a/b',
    verdict: 'scan-failed',
    ok: false,
    assetsScanned: 0,
    assetErrors: 0,
    checksFailed: 0,
    checksPassed: 0,
    error: 'x'.repeat(2000)
  })
  expect(parseRecord(['not', 'a', 'record'])).toBeUndefined()
  expect(parseRecord({ verdict: 'passed' })).toBeUndefined()
})
