// `npm run sandbox:org`: the organisation workflow end to end against the local stand-ins
// (GitHub's REST API and git server, Mondoo's STS, cnspec): the plan, one scan job's log,
// and the organisation summary, as a job page would show them (the summary and its log also
// as pages, .sandbox/org-summary.html and .sandbox/org-log.html).
import { cpSync, existsSync, mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { generateRepositories, startGitHubApi } from './github-api.js'
import { renderLog } from './job-log.js'
import { runScanJob } from './org-job.js'
import { mainOf, runAction, type RunResult, tempDir } from './runner.js'
import { writePreviews } from './preview.js'
import { startSandbox } from './start.js'

const COUNT = Number(process.env.ORG_REPOSITORIES ?? 40)
const MAX_JOBS = process.env.ORG_MAX_JOBS ?? '6'

const log = (result: RunResult): string => renderLog(result.stdout)

for (const action of ['org/plan', 'org/scan-batch', 'org/summary'])
  if (!existsSync(mainOf(action))) {
    console.error(`${mainOf(action)} is missing: run npm run bundle first.`)
    process.exit(1)
  }

const sandbox = await startSandbox()
const api = await startGitHubApi('acme', generateRepositories('acme', COUNT))
try {
  for (const repo of api.repositories)
    if (repo.name !== 'repo-03')
      api.addGitRepository(repo.name, { 'main.tf': 'resource "null_resource" "x" {}\n' })
  api.rateLimitPage = 1
  const github = { GITHUB_API_URL: api.apiUrl, GITHUB_SERVER_URL: api.url }

  console.log(
    `\n=== plan (${COUNT} repositories, one rate-limit answer, max-jobs ${MAX_JOBS}) ===\n`
  )
  const plan = await runAction({
    action: 'org/plan',
    inputs: { organisation: 'acme', 'github-token': api.token, 'max-jobs': MAX_JOBS },
    env: github
  })
  console.log(log(plan))
  const matrix = JSON.parse(plan.outputs.matrix ?? '{"include":[]}') as {
    include: Array<{ batch: string; name: string; repositories: string }>
  }

  const toolCache = tempDir('cnspec-org-demo')
  // The summary writes its report file beside the records: keep both in one temp folder.
  const artifacts = join(tempDir('cnspec-org-demo-artifacts'), 'artifacts')
  mkdirSync(join(artifacts, 'cnspec-org-plan'), { recursive: true })
  cpSync(plan.outputs['plan-file'] as string, join(artifacts, 'cnspec-org-plan', 'plan.json'))
  for (const [i, entry] of matrix.include.entries()) {
    const { signIn, batch } = await runScanJob({
      runMain: options => sandbox.run(options),
      releasesUrl: sandbox.inputs['releases-url'],
      api,
      repositories: entry.repositories,
      scan: 'both',
      threshold: '80',
      toolCache
    })
    if (i === 0) {
      console.log(`\n=== scan job "${entry.name}": sign in (scan: false) ===\n`)
      console.log(log(signIn))
      console.log(`\n=== scan job "${entry.name}": org/scan-batch ===\n`)
      console.log(log(batch))
    }
    if (batch.outputs['output-directory'])
      cpSync(
        batch.outputs['output-directory'],
        join(artifacts, `cnspec-org-batch-${entry.batch}`),
        {
          recursive: true
        }
      )
  }

  console.log('\n=== summary ===\n')
  const summaryInputs = {
    'records-directory': artifacts,
    'plan-file': join(artifacts, 'cnspec-org-plan', 'plan.json'),
    'risk-threshold': '80'
  }
  const summary = await runAction({ action: 'org/summary', inputs: summaryInputs })
  console.log(log(summary))
  const pages = writePreviews(
    summary,
    { name: 'cnspec organisation', uses: './org/summary', inputs: summaryInputs },
    'org-'
  )
  console.log(`\njob summary, as GitHub shows it: ${pages.summary}`)
  console.log(`its log as a page:              ${pages.log}\n`)
  console.log(
    `${matrix.include.length} scan jobs, ${sandbox.sts.exchanges} Mondoo STS exchanges; ` +
      `full report: ${summary.outputs['report-file']} (${readFileSync(summary.outputs['report-file'] as string).length} bytes)`
  )
} finally {
  await api.close()
  await sandbox.close()
}
