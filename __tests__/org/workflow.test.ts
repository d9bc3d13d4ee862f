import { expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import { ROOT, actionDefaults } from '../../sandbox/runner.js'

interface Step {
  id?: string
  if?: string
  uses?: string
  with?: Record<string, string | number | boolean>
}
interface Job {
  permissions: Record<string, string>
  needs?: string | string[]
  if?: string
  strategy?: { 'fail-fast': boolean; 'max-parallel': string; matrix: string }
  steps: Step[]
}
const workflow = parse(
  readFileSync(join(ROOT, '.github/workflows/cnspec-org-scan.yml'), 'utf8')
) as {
  on: { workflow_call: { inputs: Record<string, unknown>; secrets: Record<string, unknown> } }
  permissions: Record<string, string>
  jobs: Record<string, Job>
}
const OWN = 'mondoohq-community/cnspec-keyless-action'
const APP_TOKEN = 'actions/create-github-app-token@'

function actionInputs(dir: string): { all: string[]; required: string[] } {
  const action = parse(readFileSync(join(ROOT, dir, 'action.yml'), 'utf8')) as {
    inputs: Record<string, { required?: boolean }>
  }
  return {
    all: Object.keys(action.inputs),
    required: Object.entries(action.inputs)
      .filter(([, i]) => i.required)
      .map(([n]) => n)
  }
}

it('plans, fans out with fail-fast off and max-parallel from its input, then summarises', () => {
  const { plan, scan, summary } = workflow.jobs
  expect(scan?.needs).toBe('plan')
  expect(scan?.strategy).toEqual({
    'fail-fast': false,
    'max-parallel': '${{ inputs.max-parallel }}',
    matrix: '${{ fromJSON(needs.plan.outputs.matrix) }}'
  })
  expect(summary?.needs).toEqual(['plan', 'scan'])
  // It runs when scan jobs failed (they are what it reports on), not when the run was cancelled.
  expect(summary?.if).toContain('!cancelled()')
  expect(plan?.steps.some(s => s.uses?.startsWith(`${OWN}/org/plan@`))).toBe(true)
})

it('grants each job only what it needs: id-token for the scan jobs, nothing else', () => {
  expect(workflow.permissions).toEqual({})
  expect(workflow.jobs.plan?.permissions).toEqual({})
  expect(workflow.jobs.scan?.permissions).toEqual({ 'id-token': 'write' })
  expect(workflow.jobs.summary?.permissions).toEqual({})
})

it('mints read-only App tokens, the scan jobs limited to their batch', () => {
  const tokens = Object.values(workflow.jobs).flatMap(j =>
    j.steps.filter(s => s.uses?.startsWith(APP_TOKEN))
  )
  expect(tokens).toHaveLength(2)
  for (const step of tokens) {
    expect(step.uses).toMatch(/@[0-9a-f]{40}$/)
    for (const [name, value] of Object.entries(step.with ?? {}))
      if (name.startsWith('permission-')) expect(String(value)).not.toContain('write')
  }
  const batch = workflow.jobs.scan?.steps.find(s => s.uses?.startsWith(APP_TOKEN))
  expect(batch?.with?.repositories).toBe('${{ matrix.repositories }}')
})

it('signs in once per scan job with the main action, scan off, before the batch', () => {
  const steps = workflow.jobs.scan?.steps ?? []
  const signIn = steps.findIndex(s => s.uses === `${OWN}@main`)
  const batch = steps.findIndex(s => s.uses === `${OWN}/org/scan-batch@main`)
  expect(signIn).toBeGreaterThan(-1)
  expect(batch).toBeGreaterThan(signIn)
  expect(steps.filter(s => s.uses === `${OWN}@main`)).toHaveLength(1)
  expect(steps[signIn]?.with?.scan).toBe('false')
  expect(steps[batch]?.with?.['cnspec-path']).toBe('${{ steps.cnspec.outputs.cnspec-path }}')
})

it('passes only inputs the actions have, all their required ones, and uses every workflow input', () => {
  const main = [...Object.keys(actionDefaults()), 'audience', 'space-id', 'args', 'risk-threshold']
  const used: string[] = []
  for (const job of Object.values(workflow.jobs)) {
    for (const step of job.steps) {
      if (!step.uses?.startsWith(OWN)) continue
      const dir = step.uses.slice(OWN.length).replace(/@.*$/, '').replace(/^\//, '') || '.'
      const { all, required } = dir === '.' ? { all: main, required: [] } : actionInputs(dir)
      // credential-mode is passed through for the secretless mode another change adds.
      for (const name of Object.keys(step.with ?? {}))
        if (name !== 'credential-mode')
          expect([dir, all]).toEqual([dir, expect.arrayContaining([name])])
      for (const name of required) expect(Object.keys(step.with ?? {})).toContain(name)
      used.push(...Object.values(step.with ?? {}).map(String))
    }
  }
  const text = JSON.stringify(workflow.jobs)
  for (const name of Object.keys(workflow.on.workflow_call.inputs))
    expect(text).toContain(`inputs.${name}`)
  for (const name of Object.keys(workflow.on.workflow_call.secrets))
    expect(text).toContain(`secrets.${name}`)
  expect(used.length).toBeGreaterThan(10)
})

it('docs/ORGANISATIONS.md lists exactly the inputs and secrets of the organisation workflow', () => {
  const guide = readFileSync(join(ROOT, 'docs', 'ORGANISATIONS.md'), 'utf8')
  const section =
    guide.split('\n## Inputs of the organisation workflow\n')[1]?.split('\n## ')[0] ?? ''
  const documented = section
    .split('\n')
    .filter(line => line.startsWith('| `'))
    .flatMap(line => [...(line.split('|')[1] ?? '').matchAll(/`([a-z-]+)`/g)].map(m => m[1]))
  expect([...documented].sort()).toEqual(Object.keys(workflow.on.workflow_call.inputs).sort())
  for (const secret of Object.keys(workflow.on.workflow_call.secrets))
    expect(section).toContain(`\`${secret}\``)
})
