// A summary and a log a person can trust at a glance: one verdict, never a success mark beside
// unjudged findings, one count of failing checks, the worst severity whatever has it, no path
// a reader cannot open, a size GitHub accepts, and every line of the log delivered.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import type { RunResult } from '../../sandbox/runner.js'
import { errorOf, harness, type Harness } from '../helpers.js'

let h: Harness
beforeAll(async () => {
  h = await harness()
})
afterAll(async () => h.sandbox.close())
beforeEach(() => h.sandbox.reset())

const MiB = 1024 * 1024
/** One check failing at two places: infra/main.tf and infra/modules/store/bucket.tf. */
const TWO_BUCKETS = {
  'infra/main.tf': 'provider "aws" {}\n\nresource "aws_s3_bucket" "logs" {\n  bucket = "logs"\n}\n',
  'infra/modules/store/bucket.tf': 'resource "aws_s3_bucket" "store" {\n  bucket = "store"\n}\n'
}

/** The summary's first line. */
const firstLine = (result: RunResult) => result.summary.split('\n')[0] ?? ''
/** The last line the action logged, workflow commands aside. */
const lastLogLine = (result: RunResult) =>
  result.stdout
    .trimEnd()
    .split('\n')
    .filter(line => !line.startsWith('::'))
    .at(-1)

describe('the verdict, once, with a mark that never contradicts it', () => {
  it('failing checks and no threshold: no success mark; says what was found and why the step stays green', async () => {
    const result = await h.run()
    expect(result.exitCode).toBe(0)
    expect(firstLine(result)).toMatch(
      /^<h2>⚠️ cnspec found 2 failing checks and 2 vulnerable packages/
    )
    expect(firstLine(result)).toContain('; no risk threshold set</h2>')
    expect(result.summary).not.toContain('✅')
    expect(result.summary).not.toMatch(/Success|passed \(exit code/)
    expect(lastLogLine(result)).toMatch(
      /^Found 2 failing checks and 2 vulnerable packages on 1 asset/
    )
    expect(lastLogLine(result)).toContain(
      'No risk threshold set, so the step does not fail: set "risk-threshold" to fail it'
    )
    expect(result.stdout).not.toContain('Scan passed')
  })

  it('under a threshold that was set: a success, saying which threshold', async () => {
    const result = await h.run({ inputs: { 'risk-threshold': '90' } })
    expect(result.exitCode).toBe(0)
    expect(firstLine(result)).toBe('<h2>✅ cnspec scan passed: under the risk threshold of 90</h2>')
    expect(lastLogLine(result)).toMatch(/^Scan passed: .*, under the risk-threshold of 90\.$/)
  })

  it('nothing found: a success without a threshold too', async () => {
    const result = await h.run({
      inputs: { target: 'terraform ./infra' },
      workspaceFiles: { 'infra/main.tf': 'provider "aws" {}\n' }
    })
    expect(result.exitCode).toBe(0)
    expect(firstLine(result)).toBe('<h2>✅ cnspec scan passed: nothing found</h2>')
    expect(result.outputs['checks-failed']).toBe('0')
  })

  it('a failed run has one verdict: the headline, then why, and no second result row', async () => {
    const result = await h.run({ inputs: { 'risk-threshold': '50' } })
    expect(result.exitCode).toBe(1)
    expect(firstLine(result)).toBe('<h2>❌ cnspec scan failed: risk threshold of 50 reached</h2>')
    expect(result.summary.split('\n')[1]).toMatch(
      /^<p>The scan found risk at or above the risk&#45;threshold of 50/
    )
    expect(result.summary.match(/❌|✅|⚠️/g)).toEqual(['❌'])
  })
})

it('a CRITICAL vulnerable package is the worst severity in the headline; cnspec risk is labelled as such', async () => {
  // The stand-in's runner asset: failing checks of MEDIUM and LOW, openssl CRITICAL; score 35.
  const result = await h.run()
  expect(firstLine(result)).toContain('worst severity CRITICAL (vulnerable package openssl)')
  expect(lastLogLine(result)).toContain(
    "worst severity CRITICAL (vulnerable package openssl); cnspec's worst risk 65 (MEDIUM)."
  )
  expect(result.summary).toContain('Cnspec&#39;s worst risk 65 &#40;MEDIUM&#41;')
  expect(result.outputs['worst-risk']).toBe('65')
})

it('one count of failing checks everywhere, for a check failing at two locations', async () => {
  const result = await h.run({
    inputs: { target: 'terraform ./infra' },
    workspaceFiles: TWO_BUCKETS
  })
  expect(result.exitCode).toBe(0)
  const one = 'Ensure S3 buckets are encrypted'
  // Outputs, summary heading, asset table, log counts, the log's list and the verdict: 1.
  expect(result.outputs['checks-failed']).toBe('1')
  expect(result.summary).toContain('<h3>Failing checks (1), highest risk first</h3>')
  expect(result.summary).toContain(
    '<td>terraform infra</td><td>Terraform Static Analysis</td><td>20</td><td>D</td><td>80 (HIGH)</td><td>1</td>'
  )
  expect(result.summary.split(`<td>${one}</td>`)).toHaveLength(2)
  expect(result.summary).toContain('infra/main.tf:3&#45;5, infra/modules/store/bucket.tf:1&#45;3')
  expect(result.stdout).toContain('    1 failed · 1 passed · 0 errored · 1 skipped')
  const listed = result.stdout.split('\n').filter(line => line.startsWith('    ✕'))
  expect(listed).toEqual([
    `    ✕ HIGH 80     ${one}  infra/main.tf:3-5, infra/modules/store/bucket.tf:1-3`
  ])
  expect(lastLogLine(result)).toMatch(/^Found 1 failing check on 1 asset;/)
})

it('the summary names no RUNNER_TEMP path: it names the report-file output and how to keep it', async () => {
  const result = await h.run({
    inputs: { target: 'terraform ./infra' },
    workspaceFiles: TWO_BUCKETS
  })
  const reportFile = result.outputs['report-file']!
  expect(reportFile.startsWith(result.dirs.temp)).toBe(true)
  expect(result.summary).not.toContain(result.dirs.root)
  expect(result.summary).not.toContain('_temp')
  expect(result.summary).toContain("the step's <code>report-file</code> output")
  expect(result.summary).toContain('<code>actions/upload-artifact</code>')
  expect(result.summary).toContain('<code>github/codeql-action/upload-sarif</code>')
  // The log names the output too; the path itself is left to a debug run.
  const findings = result.stdout.split('\n').find(line => line.startsWith('Findings ('))
  expect(findings).toBe(
    "Findings (1 asset; the full SARIF report is the step's report-file output):"
  )
  expect(result.stdout).toContain(`::debug::report-file: ${reportFile}`)
})

it('30 titles of 300,000 characters: the summary stays under 1 MiB, and so does each log line', async () => {
  const result = await h.run({
    env: { CNSPEC_STANDIN_EXTRA_FAILURES: '30', CNSPEC_STANDIN_TITLE_CHARS: '300000' },
    timeoutMs: 120000
  })
  expect(result.outputs['checks-failed']).toBe('32')
  expect(Buffer.byteLength(result.summary)).toBeLessThan(MiB)
  expect(result.summary).toContain('<h3>Failing checks (32), highest risk first</h3>')
  expect(result.summary).toContain('Generated check 0 &lt;b&gt;&amp;&lt;/b&gt;')
  expect(result.summary).toContain('…')
  const longest = Math.max(...result.stdout.split('\n').map(line => line.length))
  expect(longest).toBeLessThan(4096)
  expect(errorOf(result)).toBe('')
}, 180000)

it('20,000 assets: every line reaches stdout, the last asset and the verdict included', async () => {
  const result = await h.run({
    inputs: { 'risk-threshold': '10' },
    env: { CNSPEC_STANDIN_ASSETS: '20000' },
    timeoutMs: 170000
  })
  expect(result.exitCode).toBe(0)
  const headlines = result.stdout.split('\n').filter(line => line.startsWith('■ asset-'))
  expect(headlines).toHaveLength(20000)
  expect(headlines.at(-1)).toBe(
    '■ asset-20000 · Filesystem · score 100/100 (A) · worst risk 0 (NONE)'
  )
  expect(lastLogLine(result)).toBe(
    "Scan passed: 0 failing checks on 20000 assets; cnspec's worst risk 0 (NONE), under the risk-threshold of 10."
  )
  expect(result.outputs['assets-scanned']).toBe('20000')
  expect(Buffer.byteLength(result.summary)).toBeLessThan(MiB)
  expect(result.summary).toContain('<h3>Assets (20000)</h3>')
  expect(result.summary).toContain('… and 19970 more assets in')
}, 180000)
