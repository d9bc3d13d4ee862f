import { afterAll, beforeAll, expect, it } from '@jest/globals'
import { cpSync, mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { generateRepositories, startGitHubApi, type GitHubApi } from '../../sandbox/github-api.js'
import { runAction, type RunResult, tempDir } from '../../sandbox/runner.js'
import { runScanJob } from '../../sandbox/org-job.js'
import type { MatrixEntry } from '../../src/org/plan.js'
import { errorOf, harness, type Harness } from '../helpers.js'

const ORG = 'acme'
let h: Harness
let api: GitHubApi

beforeAll(async () => {
  h = await harness()
  api = await startGitHubApi(ORG, generateRepositories(ORG, 20))
  // Every selected repository has code, except repo-03, which cannot be cloned.
  for (const repo of api.repositories)
    if (repo.name !== 'repo-03')
      api.addGitRepository(repo.name, { 'main.tf': 'resource "null_resource" "x" {}\n' })
})
afterAll(async () => {
  await api.close()
  await h.sandbox.close()
})

const githubEnv = () => ({ GITHUB_API_URL: api.apiUrl, GITHUB_SERVER_URL: api.url })

/** One matrix job as the workflow runs it: sign in once (scan: false), then the batch. */
async function scanJob(entry: MatrixEntry, toolCache: string): Promise<RunResult> {
  const { signIn, batch } = await runScanJob({
    runMain: options => h.run(options),
    releasesUrl: h.sandbox.inputs['releases-url'],
    api,
    repositories: entry.repositories,
    scan: 'both',
    threshold: '80',
    toolCache
  })
  expect(errorOf(signIn)).toBe('')
  return batch
}

it('plan → matrix of batches → summary: one STS exchange per job, every repository accounted for', async () => {
  h.sandbox.reset()
  const plan = await runAction({
    action: 'org/plan',
    inputs: { organisation: ORG, 'github-token': api.token, 'max-jobs': '4' },
    env: githubEnv()
  })
  expect(errorOf(plan)).toBe('')
  const matrix = JSON.parse(plan.outputs.matrix as string) as { include: MatrixEntry[] }
  expect(matrix.include).toHaveLength(4)
  const selected = matrix.include.flatMap(e => e.repositories.split(','))

  // Every job runs, except the last, which is "cancelled" before it reports anything.
  const toolCache = tempDir('cnspec-org-run-cache')
  const ran = matrix.include.slice(0, -1)
  const jobs: RunResult[] = []
  for (const entry of ran) jobs.push(await scanJob(entry, toolCache))
  expect(h.sandbox.sts.exchanges).toBe(ran.length)

  // What actions/download-artifact with pattern cnspec-org-* leaves in the summary job.
  // The summary writes its report file beside the records: keep both in one temp folder.
  const artifacts = join(tempDir('cnspec-org-artifacts'), 'artifacts')
  mkdirSync(join(artifacts, 'cnspec-org-plan'), { recursive: true })
  cpSync(plan.outputs['plan-file'] as string, join(artifacts, 'cnspec-org-plan', 'plan.json'))
  jobs.forEach((job, i) =>
    cpSync(
      job.outputs['output-directory'] as string,
      join(artifacts, `cnspec-org-batch-${ran[i]!.batch}`),
      {
        recursive: true
      }
    )
  )
  const summary = await runAction({
    action: 'org/summary',
    inputs: {
      'records-directory': artifacts,
      'plan-file': join(artifacts, 'cnspec-org-plan', 'plan.json'),
      'risk-threshold': '80'
    }
  })
  const missing = matrix.include.at(-1)!.repositories.split(',')
  expect(summary.outputs.repositories).toBe(String(selected.length))
  expect(summary.outputs['not-scanned']).toBe(String(missing.length + 1))
  expect(summary.exitCode).toBe(1)
  expect(errorOf(summary)).toContain(
    `${missing.length + 1} of ${selected.length} repositories could not be scanned`
  )
  expect(summary.summary).toContain('could not clone acme/repo&#45;03')
  for (const name of missing)
    expect(summary.summary).toContain(`acme/repo&#45;${name.slice(5)}</td><td>no record`)
  const full = readFileSync(summary.outputs['report-file'] as string, 'utf8')
  for (const name of selected) expect(full).toContain(`acme/repo&#45;${name.slice(5)}`)
  console.log(
    `run: ${selected.length} repositories, ${matrix.include.length} jobs planned, ${ran.length} ran, ${h.sandbox.sts.exchanges} STS exchanges`
  )
}, 300000)
