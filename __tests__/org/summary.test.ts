import { expect, it } from '@jest/globals'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { HOSTILE, generateRecords, writeRecords } from '../../sandbox/org-records.js'
import { runAction, tempDir, type RunResult } from '../../sandbox/runner.js'
import type { RepositoryRecord } from '../../src/scan/report-types.js'
import { errorOf } from '../helpers.js'

const ORG = 'acme'
const MIB = 1024 * 1024

function summarise(dir: string, inputs: Record<string, string> = {}): Promise<RunResult> {
  return runAction({
    action: 'org/summary',
    inputs: { 'records-directory': dir, 'risk-threshold': '80', ...inputs },
    timeoutMs: 120000
  })
}

/** A records directory inside a temp dir of its own: the report file is written beside it. */
const recordsDir = () => join(tempDir('cnspec-org-summary'), 'artifacts')

function artifacts(count: number): { dir: string; root: string } {
  const root = tempDir('cnspec-org-summary')
  const dir = join(root, 'artifacts')
  writeRecords(dir, generateRecords(ORG, count))
  return { dir, root }
}

it('summarises 5,000 repositories in well under 1 MiB, worst first, and fails on the threshold policy', async () => {
  const { dir } = artifacts(5000)
  const result = await summarise(dir)
  expect(result.exitCode).toBe(1)
  const records = generateRecords(ORG, 5000)
  const over = records.filter(r => r.verdict === 'threshold').length
  const broken = records.filter(r => r.verdict === 'scan-failed').length
  expect(errorOf(result)).toContain(
    `${over} of 5000 repositories reached the risk threshold of 80; ${broken} could not be scanned.`
  )
  // The error line names where to look, first few of each, worst first.
  expect(errorOf(result)).toMatch(
    new RegExp(
      `Over the threshold: (acme/repo-\\d+, ){4}acme/repo-\\d+ and ${over - 5} more\\. Not scanned: (acme/repo-\\d+, ){4}acme/repo-\\d+ and ${broken - 5} more\\.`
    )
  )
  expect(result.outputs['failed-threshold']).toBe(String(over))
  expect(result.outputs['not-scanned']).toBe(String(broken))
  expect(result.outputs['worst-risk']).toBe('100')
  const size = Buffer.byteLength(result.summary)
  expect(size).toBeLessThan(MIB / 4)
  // Worst first: the first row of the ranking has the highest risk.
  const ranking = result.summary.slice(result.summary.indexOf('### Repositories by worst risk'))
  const risks = [...ranking.matchAll(/<td>(\d+) \((?:CRITICAL|HIGH|MEDIUM|LOW|NONE)\)<\/td>/g)].map(
    m => Number(m[1])
  )
  expect(risks.length).toBe(50)
  expect(risks).toEqual([...risks].sort((a, b) => b - a))
  expect(risks[0]).toBe(100)
  expect(result.summary).toContain(`### Over the risk threshold (${over})`)
  expect(result.summary).toContain(`### Could not be scanned (${broken})`)
  expect(result.summary).toContain('more in the report file')
  // The full report names every repository.
  const full = readFileSync(result.outputs['report-file'] as string, 'utf8')
  for (const record of records.filter(r => r.verdict !== 'passed'))
    expect(full).toContain(record.repository.replace(/-/g, '&#45;'))
  console.log(
    `summary of 5000 records: ${size} bytes in the step summary, ${Buffer.byteLength(full)} bytes in the report file`
  )
}, 120000)

it('escapes every string from the records, and no line of it becomes a workflow command', async () => {
  const { dir } = artifacts(50)
  const result = await summarise(dir)
  expect(result.summary).not.toContain('<img')
  expect(result.summary).not.toContain('](https://evil.example)')
  expect(result.summary).toContain('&lt;img src=x onerror=alert&#40;1&#41;&gt;')
  expect(result.summary.split('\n').some(line => line.trimStart().startsWith('::'))).toBe(false)
  expect(result.stdout.split('\n').filter(line => line.startsWith('::error::injected'))).toEqual([])
  expect(HOSTILE).toContain('::error::')
}, 60000)

it('reports the repositories of the plan that have no record as not scanned, and the run time', async () => {
  const { dir, root } = artifacts(10)
  const planFile = join(root, 'plan.json')
  const names = generateRecords(ORG, 12).map(r => r.repository)
  writeFileSync(
    planFile,
    JSON.stringify({
      organisation: ORG,
      startedAt: new Date(Date.now() - 125000).toISOString(),
      repositories: names,
      // writeRecords puts up to 20 records in one batch artifact: cnspec-org-batch-1.
      batches: [{ id: '1', repositories: names }]
    })
  )
  const result = await summarise(dir, { 'plan-file': planFile, 'fail-on': 'not-scanned' })
  expect(result.exitCode).toBe(1)
  expect(errorOf(result)).toContain('Not scanned: acme/repo-11, acme/repo-12. See the job summary')
  expect(errorOf(result)).not.toContain('Over the threshold')
  expect(result.outputs.repositories).toBe('12')
  expect(result.summary).toContain(
    'acme/repo&#45;11</td><td>no record: its matrix job was cancelled, timed out or failed before scanning'
  )
  expect(result.summary).toMatch(/<td>2 min \d+ s<\/td>/)
  expect(result.summary).toContain('## cnspec: organisation acme')
}, 60000)

it('passes when nothing is over the threshold and everything was scanned, saying what was found', async () => {
  const root = recordsDir()
  const records = generateRecords(ORG, 40).filter(r => r.verdict === 'passed')
  writeRecords(root, records)
  const result = await summarise(root)
  expect(errorOf(result)).toBe('')
  expect(result.stdout).toContain(
    `${records.length} of ${records.length} repositories scanned; none reached the risk threshold of 80; worst risk`
  )
  // fail-on: never reports but does not fail, even with problems.
  const { dir } = artifacts(30)
  expect((await summarise(dir, { 'fail-on': 'never' })).exitCode).toBe(0)
}, 60000)

it('failing checks and no threshold: no success mark, and says the run does not fail', async () => {
  const root = recordsDir()
  const records = generateRecords(ORG, 40).filter(r => r.verdict === 'passed')
  const failing = records.reduce((n, r) => n + r.checksFailed, 0)
  expect(failing).toBeGreaterThan(0)
  writeRecords(root, records)
  const result = await summarise(root, { 'risk-threshold': '' })
  expect(result.exitCode).toBe(0)
  const verdict = result.summary.split('\n').find(line => /^(✅|⚠️|❌) /.test(line))
  expect(verdict).toMatch(
    new RegExp(
      `^⚠️ ${records.length} of ${records.length} repositories scanned: ${failing} failing checks; cnspec&#39;s worst risk`
    )
  )
  expect(verdict).toContain('No risk threshold set, so the run does not fail')
  expect(result.summary).not.toContain('✅')
}, 60000)

it('ignores corrupt or foreign files and explains an empty download', async () => {
  const root = recordsDir()
  mkdirSync(join(root, 'x', 'records'), { recursive: true })
  writeFileSync(join(root, 'x', 'records', 'broken.json'), '{"repository": ')
  const result = await summarise(root)
  expect(result.exitCode).toBe(1)
  expect(result.stdout).toContain('Not a repository record, ignored')
  expect(errorOf(result)).toContain('No repository record was found under')
  const missing = await summarise(join(root, 'nope'))
  expect(errorOf(missing)).toContain(
    'Input "records-directory" must name the directory the batch artifacts were downloaded to'
  )
}, 60000)

it('counts a record only from the batch the plan assigned it to: a stray or foreign record changes nothing', async () => {
  const root = tempDir('cnspec-org-summary')
  const dir = join(root, 'artifacts')
  const records: RepositoryRecord[] = generateRecords(ORG, 4).map(r => ({
    ...r,
    verdict: 'passed',
    ok: true
  }))
  records[1] = { ...records[1]!, verdict: 'threshold', ok: false, worstRisk: 90, score: 10 }
  const names = records.map(r => r.repository)
  const plan = {
    organisation: ORG,
    startedAt: new Date().toISOString(),
    repositories: names,
    batches: [
      { id: '1', repositories: names.slice(0, 2) },
      { id: '2', repositories: names.slice(2) }
    ]
  }
  writeRecords(dir, records, 2)
  mkdirSync(join(dir, 'cnspec-org-plan'), { recursive: true })
  const planFile = join(dir, 'cnspec-org-plan', 'plan.json')
  writeFileSync(planFile, JSON.stringify(plan))
  // The repository over the threshold, "passed" by an artifact no batch of the plan wrote,
  // and by the other batch's artifact; and a failing record for a repository not planned.
  const claim = (artifact: string, record: object, name: string) => {
    mkdirSync(join(dir, artifact, 'records'), { recursive: true })
    writeFileSync(join(dir, artifact, 'records', `${name}.json`), JSON.stringify(record))
  }
  const passed = { ...records[1]!, verdict: 'passed', ok: true, worstRisk: 0 }
  claim('cnspec-org-zz-stray', passed, 'repo-2')
  claim('cnspec-org-batch-2', passed, 'repo-2')
  claim('cnspec-org-batch-1', { ...records[1]!, repository: `${ORG}/not-planned` }, 'not-planned')
  const result = await summarise(dir, { 'plan-file': planFile, 'risk-threshold': '80' })
  expect(result.exitCode).toBe(1)
  expect(errorOf(result)).toContain('Over the threshold: acme/repo-2.')
  expect(result.outputs.repositories).toBe('4')
  expect(result.outputs['failed-threshold']).toBe('1')
  expect(result.summary).not.toContain('not&#45;planned')
  const warning = result.stdout.split('\n').find(l => l.includes('record file(s) ignored'))
  expect(warning).toContain('3 record file(s) ignored')
}, 60000)
