import { afterAll, beforeAll, beforeEach, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import { ROOT, actionDefaults } from '../../sandbox/runner.js'
import { errorOf, harness, type Harness } from '../helpers.js'

interface Workflow {
  on: { workflow_call: { inputs: Record<string, { default?: string }> } }
  permissions: Record<string, string>
  jobs: Record<
    string,
    {
      permissions: Record<string, string>
      steps: Array<{ uses?: string; with?: Record<string, string> }>
    }
  >
}

const workflow = parse(
  readFileSync(join(ROOT, '.github/workflows/cnspec-scan.yml'), 'utf8')
) as Workflow
const job = Object.values(workflow.jobs)[0]!
const step = job.steps.find(s => s.uses?.startsWith('mondoohq-community/cnspec-keyless-action@'))!
const CALLER = 'acme/payments-api'
const REUSABLE =
  'mondoohq-community/cnspec-keyless-action/.github/workflows/cnspec-scan.yml@refs/heads/main'

/** What GitHub passes to the action step for a caller's `with:` (only `${{ inputs.x }}` is used). */
function render(caller: Record<string, string>): Record<string, string> {
  const values: Record<string, string> = {}
  for (const [name, input] of Object.entries(workflow.on.workflow_call.inputs))
    values[name] = caller[name] ?? String(input.default ?? '')
  const rendered: Record<string, string> = {}
  for (const [name, expression] of Object.entries(step.with ?? {})) {
    rendered[name] = String(expression).replace(
      /\$\{\{\s*inputs\.([\w-]+)\s*\}\}/g,
      (_, key: string) => values[key] ?? ''
    )
  }
  return rendered
}

let h: Harness
beforeAll(async () => {
  h = await harness()
})
afterAll(async () => h.sandbox.close())
beforeEach(() => {
  h.sandbox.reset()
  // Called as a reusable workflow: sub and repository are the caller's, job_workflow_ref is ours.
  h.sandbox.oidc.options.claims = {
    sub: `repo:${CALLER}:ref:refs/heads/main`,
    repository: CALLER,
    workflow_ref: `${CALLER}/.github/workflows/security.yml@refs/heads/main`,
    job_workflow_ref: REUSABLE
  }
})

it('grants exactly what keyless sign-in and checkout need', () => {
  expect(job.permissions).toEqual({ 'id-token': 'write', contents: 'read' })
  expect(workflow.permissions).toEqual({ 'id-token': 'write', contents: 'read' })
})

it('passes only inputs the action has, and every workflow input reaches the action', () => {
  const actionInputs = Object.keys(actionDefaults()).concat(
    'audience',
    'space-id',
    'args',
    'risk-threshold',
    'credential-mode',
    'wif-config'
  )
  for (const name of Object.keys(step.with ?? {})) expect(actionInputs).toContain(name)
  const used = Object.values(step.with ?? {}).join(' ')
  // runs-on picks the runner; sarif-artifact names the artifact the report is uploaded as.
  const notForTheAction = ['runs-on', 'sarif-artifact']
  for (const name of Object.keys(workflow.on.workflow_call.inputs).filter(
    n => !notForTheAction.includes(n)
  )) {
    expect(used).toContain(`inputs.${name}`)
  }
})

it('signs in with the caller subject and scans, as a caller would use it', async () => {
  h.sandbox.sts.providers.push({
    spaceId: 'sandbox-space-123456',
    issuer: h.sandbox.oidc.issuer,
    subject: `repo:${CALLER}:ref:refs/heads/main`
  })
  try {
    const inputs = render({
      'space-id': 'sandbox-space-123456',
      'api-endpoint': h.sandbox.sts.url,
      'releases-url': h.sandbox.releases.url,
      'risk-threshold': '70'
    })
    const result = await h.run({ inputs: { ...inputs, audience: inputs.audience ?? '' } })
    expect(errorOf(result)).toBe('')
    expect(result.outputs['scan-exit-code']).toBe('0')
    expect(result.stdout).toContain(`GitHub id-token for repo:${CALLER}:ref:refs/heads/main`)
  } finally {
    h.sandbox.sts.providers.pop()
  }
})

it('when the subject is not registered, names the caller and explains the reusable workflow', async () => {
  const inputs = render({
    'space-id': 'sandbox-space-123456',
    'api-endpoint': h.sandbox.sts.url,
    'releases-url': h.sandbox.releases.url
  })
  const result = await h.run({ inputs })
  expect(result.exitCode).toBe(1)
  expect(errorOf(result)).toContain(`Subject equals "repo:${CALLER}:ref:refs/heads/main"`)
  expect(errorOf(result)).toContain(
    `this job runs the reusable workflow ${REUSABLE}: sub describes the calling repository`
  )
})
