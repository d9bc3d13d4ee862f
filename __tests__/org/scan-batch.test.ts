import { afterAll, beforeAll, beforeEach, expect, it } from '@jest/globals'
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { startGitHubApi, type GitHubApi } from '../../sandbox/github-api.js'
import { findLeaks } from '../../sandbox/leaks.js'
import { runAction, type RunResult, tempDir } from '../../sandbox/runner.js'
import { runScanJob } from '../../sandbox/org-job.js'
import type { RepositoryRecord } from '../../src/scan/report-types.js'
import { callLog, cnspecCalls, errorOf, harness, type Harness } from '../helpers.js'

const ORG = 'acme'
const JOBS = 3
const PER_JOB = 4
const MISSING = 'repo-gone' // in the plan, but its git repository cannot be cloned

let h: Harness
let api: GitHubApi
let toolCache: string

beforeAll(async () => {
  h = await harness()
  api = await startGitHubApi(ORG, [])
  for (let i = 1; i <= JOBS * PER_JOB; i++)
    api.addGitRepository(`repo-${i}`, {
      'main.tf': 'resource "aws_s3_bucket" "b" {}\n',
      'README.md': `# repo ${i}\n`
    })
  toolCache = tempDir('cnspec-org-cache')
})
afterAll(async () => {
  await api.close()
  await h.sandbox.close()
})
beforeEach(() => {
  h.sandbox.reset()
  api.requests.length = 0
})

/** One matrix job: the main action signs in (scan: false), then the batch scanner runs. */
async function job(
  repositories: string[],
  scan: string,
  log: string
): Promise<{ signIn: RunResult; batch: RunResult }> {
  const ran = await runScanJob({
    runMain: options => h.run(options),
    releasesUrl: h.sandbox.inputs['releases-url'],
    api,
    repositories: repositories.join('\n'),
    scan,
    threshold: '80',
    toolCache,
    env: { CNSPEC_STANDIN_LOG: log }
  })
  expect(errorOf(ran.signIn)).toBe('')
  expect(findLeaks(ran.batch, [...h.sandbox.secrets(), api.token])).toEqual([])
  return ran
}

function records(result: RunResult): RepositoryRecord[] {
  const dir = join(result.outputs['output-directory'] as string, 'records')
  return readdirSync(dir)
    .sort()
    .map(name => JSON.parse(readFileSync(join(dir, name), 'utf8')) as RepositoryRecord)
}

it(`${JOBS} jobs of ${PER_JOB} repositories cost ${JOBS} STS exchanges, not ${JOBS * PER_JOB}`, async () => {
  const log = callLog()
  const batches = Array.from({ length: JOBS }, (_, j) =>
    Array.from({ length: PER_JOB }, (_, i) => `repo-${j * PER_JOB + i + 1}`)
  )
  const jobs = []
  for (const batch of batches) jobs.push(await job(batch, 'settings', log))
  expect(h.sandbox.sts.exchanges).toBe(JOBS)
  const scans = cnspecCalls(log).filter(c => c.argv[0] === 'scan')
  expect(scans).toHaveLength(JOBS * PER_JOB)
  // Every scan ran with the job's one credential, as cnspec github repo <owner/name>, to SARIF.
  expect(scans.every(c => c.credential)).toBe(true)
  expect(scans.map(c => c.argv.slice(1, 4).join(' '))).toEqual(
    batches.flat().map(name => `github repo ${ORG}/${name}`)
  )
  for (const call of scans) {
    expect(call.argv).toContain('sarif')
    expect(call.argv).toContain('--output-target')
  }
  for (const { batch } of jobs) {
    expect(errorOf(batch)).toBe('')
    expect(batch.outputs.scanned).toBe(String(PER_JOB))
    const written = records(batch)
    expect(written).toHaveLength(PER_JOB)
    for (const record of written) {
      expect(record.verdict).toBe('passed')
      expect(record.assetsScanned).toBe(1)
      expect(record.checksFailed).toBeGreaterThan(0)
      expect(
        existsSync(
          join(
            batch.outputs['output-directory'] as string,
            'sarif',
            `${record.repository.split('/')[1]}.settings.sarif`
          )
        )
      ).toBe(true)
    }
  }
  console.log(
    `${JOBS} jobs × ${PER_JOB} repositories: ${h.sandbox.sts.exchanges} STS exchanges, ${scans.length} cnspec scans`
  )
}, 300000)

it('clones with the token in a header only, and one repository that cannot be scanned does not stop the others', async () => {
  const log = callLog()
  const { batch } = await job(['repo-1', MISSING, 'repo-2'], 'both', log)
  expect(errorOf(batch)).toBe('')
  const written = records(batch)
  expect(written.map(r => r.repository)).toEqual([
    `${ORG}/repo-1`,
    `${ORG}/repo-2`,
    `${ORG}/${MISSING}`
  ])
  const [one, two, gone] = written
  // Scanned (the stand-in's Terraform findings may or may not reach the threshold of 80).
  expect(['passed', 'threshold']).toContain(one?.verdict)
  expect(['passed', 'threshold']).toContain(two?.verdict)
  expect(one?.worstRisk).toEqual(expect.any(Number))
  // Settings and code: the record counts the assets of both SARIF reports (one run per asset).
  const runs = (kind: string) =>
    (
      JSON.parse(
        readFileSync(
          join(batch.outputs['output-directory'] as string, 'sarif', `repo-1.${kind}.sarif`),
          'utf8'
        )
      ) as { runs: unknown[] }
    ).runs.length
  expect(one?.assetsScanned).toBe(runs('settings') + runs('code'))
  expect(runs('code')).toBeGreaterThan(0)
  expect(gone?.verdict).toBe('scan-failed')
  expect(gone?.error).toMatch(/^code: could not clone acme\/repo-gone: /)
  expect(batch.outputs['not-scanned']).toBe('1')
  expect(batch.stdout).toContain(`${ORG}/${MISSING}: not scanned: code: could not clone`)
  // The job's own summary: this batch's repositories, the unscannable one with its reason.
  expect(batch.summary).toContain('## cnspec: acme, 3 repositories of this job')
  expect(batch.summary).toContain('### Could not be scanned (1)')
  expect(batch.summary).toContain('acme/repo&#45;gone</td><td>code: could not clone')

  const fsScans = cnspecCalls(log).filter(c => c.argv[1] === 'fs')
  expect(fsScans).toHaveLength(2)
  // git sent the token as Basic auth in a header; no URL it asked for carries it.
  const gitRequests = api.requests.filter(r => r.url.includes('.git/'))
  expect(gitRequests.length).toBeGreaterThan(0)
  expect(gitRequests.some(r => r.status === 200)).toBe(true)
  expect(gitRequests.every(r => !r.url.includes(api.token))).toBe(true)
  const basic = `basic ${Buffer.from(`x-access-token:${api.token}`).toString('base64')}`
  const served = gitRequests.filter(r => r.status === 200)
  expect(served.every(r => r.authorization?.toLowerCase() === basic.toLowerCase())).toBe(true)
  // The clones are gone once scanned.
  expect(readdirSync(batch.dirs.temp).filter(n => n.startsWith('cnspec-org-clones-'))).toEqual([])
}, 300000)

it('fails the step, with every record written, when no repository could be scanned', async () => {
  const { batch } = await job([MISSING], 'code', callLog())
  expect(batch.exitCode).toBe(1)
  expect(errorOf(batch)).toContain('None of the 1 repositories of this batch could be scanned')
  expect(records(batch)).toHaveLength(1)
}, 300000)

it('reports every bad input at once and scans nothing', async () => {
  const log = callLog()
  const result = await runAction({
    action: 'org/scan-batch',
    inputs: { organisation: ORG, repositories: 'other-org/x, ok', scan: 'everything' },
    env: { CNSPEC_STANDIN_LOG: log }
  })
  expect(result.exitCode).toBe(1)
  const error = errorOf(result)
  expect(error).toContain('3 inputs need fixing')
  expect(error).toContain('Input "repositories" must list repository names of acme')
  expect(error).toContain('Input "github-token" is required')
  expect(error).toContain('Input "scan" must be one of settings, code, both')
  expect(cnspecCalls(log)).toEqual([])
})

it("cnspec gets the action's environment rule in the batch too: no runner tokens, the repository token", async () => {
  const envLog = join(tempDir('cnspec-org-env'), 'env.jsonl')
  const ran = await runScanJob({
    runMain: options => h.run(options),
    releasesUrl: h.sandbox.inputs['releases-url'],
    api,
    repositories: 'repo-1',
    scan: 'both',
    toolCache,
    // What a real job has: the id-token request variables and the runtime's own token.
    env: {
      ...h.sandbox.env,
      ACTIONS_RUNTIME_TOKEN: 'runtime-token-of-this-job',
      CNSPEC_STANDIN_ENV_LOG: envLog
    }
  })
  expect(errorOf(ran.batch)).toBe('')
  const scans = readFileSync(envLog, 'utf8')
    .trim()
    .split('\n')
    .map(line => JSON.parse(line) as { command: string; env: string[] })
    .filter(call => call.command === 'scan')
  // The settings scan, then the code scan of the clone.
  expect(scans).toHaveLength(2)
  expect(scans[0]!.env).toContain('GITHUB_TOKEN')
  expect(scans[1]!.env).not.toContain('GITHUB_TOKEN')
  for (const { env } of scans) {
    expect(env).toContain('MONDOO_CONFIG_BASE64')
    for (const withheld of [
      'ACTIONS_RUNTIME_TOKEN',
      'ACTIONS_ID_TOKEN_REQUEST_URL',
      'ACTIONS_ID_TOKEN_REQUEST_TOKEN'
    ])
      expect(env).not.toContain(withheld)
    // Nor the step's own inputs, among them the repository token as INPUT_GITHUB-TOKEN.
    expect(env.filter(name => name.startsWith('INPUT_'))).toEqual([])
  }
}, 120000)

it('credential-mode wif: a repository whose own exchange fails is not scanned, never an incognito pass', async () => {
  // The binding accepts the first exchange (cnspec status in the sign-in step), then refuses.
  h.sandbox.sts.rejectAfter = 1
  const ran = await runScanJob({
    runMain: options => h.run(options),
    releasesUrl: h.sandbox.inputs['releases-url'],
    api,
    repositories: 'repo-1',
    scan: 'settings',
    toolCache: tempDir('cnspec-org-wif-cache'),
    env: { ...h.sandbox.env, CNSPEC_STANDIN_PROBE_MS: '30000' },
    mainInputs: { 'credential-mode': 'wif', 'cnspec-version': '13.35.2' }
  })
  expect(errorOf(ran.signIn)).toBe('')
  const [record] = records(ran.batch)
  expect(record?.verdict).toBe('scan-failed')
  expect(record?.error).toContain('fell back to an incognito scan')
  expect(ran.batch.outputs.scanned).toBe('0')
}, 120000)

it("the batch judges with the job's MONDOO_RISK_THRESHOLD, as cnspec applies it, and withholds MONDOO_API_ENDPOINT", async () => {
  h.sandbox.reset()
  const ran = await runScanJob({
    runMain: options => h.run(options),
    releasesUrl: h.sandbox.inputs['releases-url'],
    api,
    repositories: 'repo-1',
    scan: 'settings',
    toolCache,
    env: { MONDOO_RISK_THRESHOLD: '30', MONDOO_API_ENDPOINT: 'http://127.0.0.1:9' }
  })
  expect(errorOf(ran.batch)).toBe('')
  const [record] = records(ran.batch)
  expect(record).toMatchObject({ verdict: 'threshold', worstRisk: 65 })
  expect(ran.batch.stdout).toContain(
    "risk threshold of 30 (set by MONDOO_RISK_THRESHOLD in the job's environment)"
  )
  expect(
    ran.batch.stdout.split('\n').filter(l => l.startsWith('::warning::MONDOO_API_ENDPOINT is set'))
  ).toHaveLength(1)
  // Its provider came from the mirror the main action was given.
  expect(h.sandbox.releases.requests).toContain('/providers/latest.json')
}, 120000)
