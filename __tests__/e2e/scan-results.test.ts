// What people see after a scan: the verdict, findings in the log and the job summary,
// annotations, the code-scanning SARIF file and the outputs, for every SARIF generation.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import type * as Sarif from 'sarif'
import type { RunResult } from '../../sandbox/runner.js'
import { callLog, cnspecCalls, errorOf, harness, type Harness } from '../helpers.js'
import { validateSarif } from '../sarif-validator.js'

let h: Harness
beforeAll(async () => {
  h = await harness()
})
afterAll(async () => h.sandbox.close())
beforeEach(() => h.sandbox.reset())

const INFRA = {
  'infra/main.tf': 'provider "aws" {}\n\nresource "aws_s3_bucket" "logs" {\n  bucket = "logs"\n}\n',
  'infra/modules/store/bucket.tf': 'resource "aws_s3_bucket" "store" {\n  bucket = "store"\n}\n'
}
const MANIFESTS = {
  'k8s/deployment.yaml': 'kind: Deployment\nmetadata:\n  name: web\n',
  'k8s/broken.yaml': 'metadata: {}\n'
}

/** Annotations as the runner reads them: type, file, lines, title. */
function annotationsOf(result: RunResult): Array<{ type: string; props: Record<string, string> }> {
  return result.stdout
    .split('\n')
    .map(line => /^::(error|warning|notice) ([^:]+)::/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map(m => ({
      type: m[1]!,
      props: Object.fromEntries(
        m[2]!.split(',').map(p => {
          const [k, v = ''] = p.split('=')
          return [k!, decodeURIComponent(v.replace(/%(?![0-9A-F]{2})/g, '%25'))]
        })
      )
    }))
}

const located = (result: RunResult) =>
  annotationsOf(result).map(a => `${a.type} ${a.props.file}:${a.props.line}-${a.props.endLine}`)

const sarifOf = (result: RunResult): Sarif.Log =>
  JSON.parse(readFileSync(result.outputs['report-file']!, 'utf8'))

describe('the verdict comes from the report and the exit code', () => {
  it('exit 0: says what was found, with no threshold set', async () => {
    const result = await h.run()
    expect(result.exitCode).toBe(0)
    expect(result.stdout).toContain(
      "Found 2 failing checks and 2 vulnerable packages on 1 asset; worst severity CRITICAL (vulnerable package openssl); cnspec's worst risk 65 (MEDIUM). No risk threshold set"
    )
    // The verdict is the first thing in the summary.
    expect(result.summary).toMatch(
      /^<h2>⚠️ cnspec found 2 failing checks and 2 vulnerable packages/
    )
  })

  it('a threshold given in args is judged like the risk-threshold input', async () => {
    const result = await h.run({ inputs: { args: '--risk-threshold 50' } })
    expect(result.exitCode).toBe(1)
    const error = errorOf(result)
    expect(error).toContain(
      'The scan found risk at or above the risk-threshold of 50: local: worst risk 65 (MEDIUM).'
    )
    expect(error).toContain(
      'Top failing checks: Ensure actions are pinned by commit SHA (MEDIUM); Ensure containers do not run as root (LOW).'
    )
    expect(result.outputs['worst-risk']).toBe('65')
    expect(result.summary).toMatch(
      /^<h2>❌ cnspec scan failed: risk threshold of 50 reached<\/h2>\n<p>The scan found risk at or above the risk&#45;threshold of 50/
    )
  })

  it('a threshold in args overrides the risk-threshold input, as in cnspec (last flag wins)', async () => {
    const result = await h.run({
      inputs: { 'risk-threshold': '80', args: '--risk-threshold 50' }
    })
    expect(result.exitCode).toBe(1)
    expect(errorOf(result)).toContain(
      'The scan found risk at or above the risk-threshold of 50: local: worst risk 65 (MEDIUM).'
    )
  })

  it('an asset that could not be scanned fails the step, whatever the threshold', async () => {
    const result = await h.run({
      inputs: { target: 'k8s ./k8s', 'risk-threshold': '100' },
      workspaceFiles: MANIFESTS
    })
    expect(result.exitCode).toBe(1)
    expect(errorOf(result)).toMatch(
      /^\[cnspec-keyless\] cnspec could not scan k8s-manifest broken\.yaml: could not parse manifest broken\.yaml: no "kind" found\n/
    )
    expect(errorOf(result)).toContain('The other 1 asset was scanned')
    expect(result.outputs['assets-scanned']).toBe('2')
    expect(result.outputs['asset-errors']).toBe('1')
    expect(result.outputs['scan-exit-code']).toBe('1')
    expect(result.summary).toContain('could not be scanned: could not parse manifest broken.yaml')
    // The asset error is in the code-scanning report too, anchored to the asset it names.
    const results = sarifOf(result).runs[0]!.results!
    expect(results.find(r => r.ruleId === 'asset-error')?.properties?.anchoredToAsset).toBe(
      'k8s-manifest broken.yaml'
    )
    expect(await validateSarif(result.outputs['report-file']!)).toEqual([])
  })

  it('every asset failed: cnspec left its report empty, and the verdict says so', async () => {
    // No asset could be scanned, so no policy ran: cnspec's SARIF writer leaves the file it
    // created empty and fails with "no policy bundle found".
    const result = await h.run({ inputs: { target: 'docker image missing-image:1' } })
    expect(result.exitCode).toBe(1)
    const error = errorOf(result)
    expect(error).toContain(
      'cnspec could not scan any asset of the target (exit code 1): it left its report empty'
    )
    expect(error).toContain('failed to resolve image: manifest unknown')
    expect(error).toContain('error="no policy bundle found"')
    expect(error).not.toContain('INF discover assets')
    expect(error).not.toContain('could not be read')
    expect(error).toContain('check that the target exists')
    expect(result.outputs['report-file']).toBe('')
    expect(result.outputs['assets-scanned']).toBe('')
    expect(result.summary).toContain('failed: an asset could not be scanned')
  })

  it('a target path that does not exist is an asset error, not a broken scan', async () => {
    const result = await h.run({ inputs: { target: 'terraform ./no-such-dir' } })
    expect(result.exitCode).toBe(1)
    const error = errorOf(result)
    expect(error).toContain('cnspec could not scan any asset of the target')
    expect(error).toMatch(/no-such-dir: no such file or directory/)
    expect(error).not.toContain('The scan itself failed')
  })
})

it('a report cut off mid-write is no report: the scan failed', async () => {
  const result = await h.run({ env: { CNSPEC_STANDIN_DIE_WRITING: '1' } })
  expect(result.exitCode).toBe(1)
  const error = errorOf(result)
  expect(error).toContain('The scan itself failed (stopped by a signal): cnspec wrote no report.')
  expect(error).toContain('ERR the report cnspec wrote could not be read')
  expect(result.outputs['report-file']).toBe('')
  expect(result.outputs['scan-exit-code']).toBe('')
})

describe('one scan, one SARIF report', () => {
  it('runs cnspec scan once, writing SARIF to a file under RUNNER_TEMP', async () => {
    const calls = callLog()
    const result = await h.run({ env: { CNSPEC_STANDIN_LOG: calls } })
    const scans = cnspecCalls(calls).filter(c => c.argv[0] === 'scan')
    expect(scans).toHaveLength(1)
    const argv = scans[0]!.argv
    expect(argv.slice(0, 5)).toEqual(['scan', 'local', '-o', 'sarif', '--output-target'])
    expect(argv[5]!.startsWith(result.dirs.temp)).toBe(true)
    expect(result.outputs['report-file']!.startsWith(result.dirs.temp)).toBe(true)
  })
})

describe.each([
  ['13.3.2', 'basic'],
  ['13.25.0', 'located'],
  ['13.33.0', 'rich'],
  ['13.35.2', 'rich']
])('cnspec %s (%s SARIF)', (version, generation) => {
  let result: RunResult
  beforeAll(async () => {
    result = await h.run({
      inputs: { 'cnspec-version': version, target: 'terraform ./infra' },
      workspaceFiles: INFRA
    })
  })
  const rich = generation === 'rich'

  it('passes and sets the outputs from what the report holds, never more', () => {
    expect(errorOf(result)).toBe('')
    expect(result.outputs).toMatchObject({
      'scan-exit-code': '0',
      'assets-scanned': '1',
      'asset-errors': '0',
      'checks-failed': '1',
      'checks-passed': rich ? '1' : '',
      'worst-risk': rich ? '80' : '',
      score: rich ? '20' : '',
      grade: rich ? 'D' : ''
    })
  })

  it('shows the findings in the log and the summary', () => {
    expect(result.stdout).toContain(
      rich
        ? '■ terraform infra · Terraform Static Analysis · score 20/100 (D) · worst risk 80 (HIGH)'
        : '■ terraform infra · Terraform Static Analysis'
    )
    expect(result.stdout).toMatch(
      rich
        ? /✕ HIGH 80 +Ensure S3 buckets are encrypted {2}infra\/main\.tf:3-5/
        : generation === 'located'
          ? /✕ error +Ensure S3 buckets are encrypted {2}infra\/main\.tf:3-5/
          : /✕ error +Ensure S3 buckets are encrypted\n/
    )
    expect(result.summary).toContain('Ensure S3 buckets are encrypted')
    if (!rich) {
      expect(result.summary).toContain('cnspec 13.33.0 adds them')
      expect(result.summary).not.toMatch(/\d+ &#40;HIGH&#41;/)
    }
  })

  it('annotates the failing lines when the report has them', () => {
    expect(located(result)).toEqual(
      generation === 'basic'
        ? []
        : ['error infra/main.tf:3-5', 'error infra/modules/store/bucket.tf:1-3']
    )
  })

  it('writes a report-file that passes the SARIF validator with GitHub rules', async () => {
    const sarif = sarifOf(result)
    expect(sarif.runs).toHaveLength(1)
    expect(sarif.runs[0]!.automationDetails).toBeUndefined()
    // Only failures: passed and skipped checks would become alerts.
    expect(sarif.runs[0]!.results!.map(r => r.ruleId)).toEqual([
      'terraform-aws-s3-encryption',
      ...(generation === 'basic' ? [] : ['terraform-aws-s3-encryption'])
    ])
    for (const r of sarif.runs[0]!.results!)
      expect(r.locations![0]!.physicalLocation!.artifactLocation!.uri).toMatch(
        generation === 'basic'
          ? /^terraform%20infra$/
          : /^infra\/(main|modules\/store\/bucket)\.tf$/
      )
    expect(await validateSarif(result.outputs['report-file']!)).toEqual([])
  })
})

describe('the output input chooses the log view', () => {
  it.each([
    ['compact', true, false],
    ['full', true, true],
    ['summary', false, false]
  ])('%s', async (output, failing, passed) => {
    const result = await h.run({ inputs: { output } })
    expect(errorOf(result)).toBe('')
    expect(result.stdout).toContain(
      '■ local · Ubuntu 24.04 · score 35/100 (C) · worst risk 65 (MEDIUM)'
    )
    expect(result.stdout.includes('✕ MEDIUM 65   Ensure actions are pinned by commit SHA')).toBe(
      failing
    )
    expect(result.stdout.includes('✓ NONE 0      Ensure no secrets are committed')).toBe(passed)
    expect(result.stdout.includes('Ensure workloads set resource limits')).toBe(passed)
  })
})

describe('annotation paths are relative to the workspace', () => {
  it.each([
    ['fs .', undefined],
    ['fs ./infra', undefined],
    ['terraform ./infra', undefined],
    ['terraform ./infra', 'cwd'],
    ['terraform ./infra', 'absolute'],
    ['terraform ./infra', 'uri']
  ])('target %p, cnspec writing paths %p', async (target, form) => {
    const result = await h.run({
      inputs: { target },
      workspaceFiles: INFRA,
      env: form ? { CNSPEC_STANDIN_PATH_FORM: form } : {}
    })
    expect(errorOf(result)).toBe('')
    expect(located(result)).toEqual([
      'error infra/main.tf:3-5',
      'error infra/modules/store/bucket.tf:1-3'
    ])
    const uris = sarifOf(result)
      .runs[0]!.results!.flatMap(r => r.locations ?? [])
      .map(l => l.physicalLocation?.artifactLocation?.uri)
    expect(uris).toEqual(expect.arrayContaining(['infra/main.tf', 'infra/modules/store/bucket.tf']))
    expect(await validateSarif(result.outputs['report-file']!)).toEqual([])
  })

  it('shows the highest-risk 10 per type and counts the rest', async () => {
    const files: Record<string, string> = {}
    for (let i = 0; i < 12; i++)
      files[`infra/b${String(i).padStart(2, '0')}.tf`] = INFRA['infra/main.tf']
    const result = await h.run({ inputs: { target: 'terraform ./infra' }, workspaceFiles: files })
    expect(annotationsOf(result).filter(a => a.type === 'error')).toHaveLength(10)
    expect(result.stdout).toContain(
      'GitHub shows 10 annotations of each type per step: 2 more errors are in the job summary and the SARIF report.'
    )
  })
})

describe('other formats: the report is yours', () => {
  it.each([
    [{ output: 'json' }, '"output" is \\"json\\"'],
    [{ args: '-o junit' }, '"args" sets -o']
  ])(
    '%p: cnspec output passes through, judged by the exit code, one notice',
    async (inputs, reason) => {
      const calls = callLog()
      const result = await h.run({ inputs, env: { CNSPEC_STANDIN_LOG: calls } })
      expect(result.exitCode).toBe(0)
      const notices = result.stdout.split('\n').filter(l => l.startsWith('::notice'))
      expect(notices).toHaveLength(1)
      expect(notices[0]).toContain(`The report is yours (${reason.replace(/\\"/g, '"')})`)
      const scan = cnspecCalls(calls).find(c => c.argv[0] === 'scan')!
      expect(scan.argv).not.toContain('--output-target')
      expect(result.outputs['report-file']).toBe('')
      expect(result.stdout).not.toContain('Findings (')
      expect(result.summary).toContain('no findings read')
    }
  )

  it('a failed pass-through scan says it cannot tell why', async () => {
    const result = await h.run({ inputs: { output: 'json', 'risk-threshold': '50' } })
    expect(result.exitCode).toBe(1)
    expect(errorOf(result)).toContain(
      'cnspec scan ended (exit code 1): the risk threshold was reached, an asset could not be scanned, or the scan failed.'
    )
  })

  it('cnspec older than 13.3.2 has no SARIF: its output passes through, with one notice', async () => {
    const calls = callLog()
    const result = await h.run({
      inputs: { 'cnspec-version': '13.2.0' },
      env: { CNSPEC_STANDIN_LOG: calls }
    })
    expect(result.exitCode).toBe(0)
    expect(result.stdout).toContain(
      "::notice::cnspec 13.2.0 writes no SARIF, so the action shows cnspec's own output and judges by the exit code alone. cnspec 13.3.2 adds SARIF"
    )
    expect(
      cnspecCalls(calls)
        .find(c => c.argv[0] === 'scan')!
        .argv.slice(0, 4)
    ).toEqual(['scan', 'local', '-o', 'compact'])
    expect(result.stdout).toContain('Worst risk: 65 (MEDIUM)')
  })
})

describe('untrusted text stays text', () => {
  it('titles with Markdown, HTML and :: are escaped in the summary and inert in the log', async () => {
    // A threshold low enough that the verdict itself quotes the title.
    const result = await h.run({
      inputs: { target: 'fs .', 'risk-threshold': '10' },
      workspaceFiles: INFRA
    })
    expect(result.exitCode).toBe(1)
    expect(errorOf(result)).toContain('Restrict ingress from 0.0.0.0/0')
    expect(result.summary).toContain('Restrict ingress from 0.0.0.0/0')
    expect(result.summary).not.toContain('<img')
    expect(result.summary).not.toContain('**[docs]')
    expect(result.summary).not.toContain('](https://evil.example)')
    expect(result.summary).toContain('&lt;img src=x onerror=alert&#40;1&#41;&gt;')
    // The title reaches the log (findings and the error), never at the start of a line.
    const lines = result.stdout.split('\n').filter(l => l.includes('::warning::injected'))
    expect(lines.some(l => /^ {4}✕ MEDIUM 55 +Restrict ingress/.test(l))).toBe(true)
    expect(lines.some(l => l.startsWith('::error::[cnspec-keyless] The scan found risk'))).toBe(
      true
    )
    expect(lines.filter(l => /^\s*::warning/.test(l))).toEqual([])
  })

  it("cnspec's live output runs no workflow command", async () => {
    const result = await h.run({
      inputs: { target: 'k8s ./k8s', 'log-level': 'debug' },
      workspaceFiles: { 'k8s/pod.yaml': '::error::pwned-by-manifest\nkind: Pod\n' }
    })
    const lines = result.stdout.split('\n')
    // Two defences: each line of cnspec's output is printed inert (no leading "::"), and the
    // whole output sits between stop-commands markers.
    expect(lines).not.toContain('::error::pwned-by-manifest')
    const raw = lines.findIndex(l => l.includes('error::pwned-by-manifest'))
    expect(raw).toBeGreaterThan(0)
    expect(lines[raw]).not.toMatch(/^\s*::/)
    const command = lines.findIndex(l => l.includes('"scan" "k8s" "./k8s" "-o" "sarif"'))
    // Each cnspec run (status, then scan) has its own window: the scan's opens just before it.
    const stop = lines
      .slice(0, command)
      .map(l => l.startsWith('::stop-commands::'))
      .lastIndexOf(true)
    const token = lines[stop]!.slice('::stop-commands::'.length)
    expect(token).toMatch(/^[0-9a-f-]{36}$/)
    const resume = lines.indexOf(`::${token}::`)
    expect(stop).toBeGreaterThanOrEqual(0)
    // The runner reads no command between the two markers: the line stays text.
    expect(stop < command && command < raw && raw < resume).toBe(true)
    // And after them, commands work again (the findings' annotations, the verdict).
    expect(lines.slice(resume).some(l => l.startsWith('::'))).toBe(true)
  })
})

it('10,000 failing checks: the summary stays far under 1 MiB and says where the rest are', async () => {
  const result = await h.run({
    env: { CNSPEC_STANDIN_EXTRA_FAILURES: '10000' },
    timeoutMs: 120000
  })
  expect(result.outputs['checks-failed']).toBe('10002')
  const bytes = Buffer.byteLength(result.summary)
  expect(bytes).toBeLessThan(64 * 1024)
  expect(result.summary).toContain(
    "… and 9972 more failing checks in the step's <code>report-file</code> output"
  )
  expect(result.stdout).toContain('… and 9802 more failing checks in the report-file output')
}, 180000)
