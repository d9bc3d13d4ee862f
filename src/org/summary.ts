import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import * as core from '@actions/core'
import { ActionError, messageOf } from '../errors.js'
import { check } from '../inputs.js'
import { logSafe, logSafeLines } from '../text.js'
import { collectInputs, parseChoice, parseRiskThreshold } from './inputs.js'
import { loadPlannedRecords, loadRecords } from './records.js'
import type { Batch } from './batches.js'
import {
  FAIL_ON,
  STEP_LIMITS,
  SUMMARY_LIMIT,
  renderOrgSummary,
  failingNames,
  shouldFail,
  totalsOf,
  verdictLine
} from './render-summary.js'

const PREFIX = '[cnspec-keyless org]'

interface PlanFacts {
  organisation?: string
  startedAt?: string
  repositories: string[]
  /** Which batch scans which repository; undefined without a plan. */
  batches?: Batch[]
}

const strings = (value: unknown, max: number): string[] =>
  Array.isArray(value)
    ? value.filter((r): r is string => typeof r === 'string').map(r => r.slice(0, max))
    : []

function readPlan(path: string): PlanFacts {
  if (!path) return { repositories: [] }
  if (!existsSync(path))
    throw new ActionError(
      `Input "plan-file" names ${logSafe(path)}, which does not exist: download the plan artifact first.`
    )
  const plan = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>
  const batches = Array.isArray(plan.batches)
    ? plan.batches
        .map(b => b as Record<string, unknown>)
        .filter(b => typeof b?.id === 'string' && /^\d{1,3}$/.test(b.id))
        .map(b => ({ id: b.id as string, repositories: strings(b.repositories, 200) }))
    : []
  if (!batches.length)
    throw new ActionError(
      `Input "plan-file" names ${logSafe(path)}, which holds no batches: give the plan.json written by org/plan.`
    )
  return {
    organisation:
      typeof plan.organisation === 'string' ? plan.organisation.slice(0, 100) : undefined,
    startedAt: typeof plan.startedAt === 'string' ? plan.startedAt : undefined,
    repositories: strings(plan.repositories, 200),
    batches
  }
}

/** Reads every repository record of the run and writes one summary for the organisation. */
export async function run(): Promise<void> {
  try {
    const get = (name: string) => core.getInput(name)
    const inputs = collectInputs({
      directory: () => {
        const dir = check('records-directory', get('records-directory'))
        if (!dir || !existsSync(dir))
          throw new ActionError(
            `Input "records-directory" must name the directory the batch artifacts were downloaded to${dir ? ` (${logSafe(dir)} does not exist)` : ''}.`
          )
        return dir
      },
      planFile: () => check('plan-file', get('plan-file')),
      threshold: () => parseRiskThreshold(get('risk-threshold')),
      failOn: () => parseChoice('fail-on', get('fail-on'), FAIL_ON, 'any')
    })
    const plan = readPlan(inputs.planFile)
    const { records, unreadable, ignored } = plan.batches
      ? loadPlannedRecords(inputs.directory, plan.batches)
      : { ...loadRecords(inputs.directory), ignored: [] }
    for (const file of unreadable.slice(0, 10))
      core.warning(`Not a repository record, ignored: ${logSafe(file)}`)
    if (ignored.length)
      core.warning(
        `${ignored.length} record file(s) ignored: not written by the batch the plan assigned their repository to, ` +
          `or for a repository the plan does not list (${ignored.slice(0, 5).map(logSafe).join(', ')}` +
          `${ignored.length > 5 ? ', ...' : ''}). Only a batch's own artifact counts towards the verdict.`
      )
    const recorded = new Set(records.map(r => r.repository.toLowerCase()))
    const missing = plan.repositories.filter(r => !recorded.has(r.toLowerCase()))
    const started = plan.startedAt ? Date.parse(plan.startedAt) : NaN
    const summaryInput = {
      organisation: plan.organisation,
      records,
      missing,
      threshold: inputs.threshold,
      elapsedMs: Number.isNaN(started) ? undefined : Date.now() - started
    }
    const totals = totalsOf(records, missing)
    const reportFile = join(dirname(inputs.directory.replace(/\/+$/, '')), 'cnspec-org-summary.md')
    writeFileSync(reportFile, renderOrgSummary(summaryInput, totals))
    let markdown = renderOrgSummary({ ...summaryInput, limits: STEP_LIMITS }, totals)
    if (Buffer.byteLength(markdown) > SUMMARY_LIMIT / 2)
      markdown = renderOrgSummary(
        { ...summaryInput, limits: { worst: 10, over: 50, notScanned: 20 } },
        totals
      )
    if (process.env.GITHUB_STEP_SUMMARY) await core.summary.addRaw(markdown, true).write()

    core.setOutput('repositories', String(totals.repositories))
    core.setOutput('failed-threshold', String(totals.overThreshold.length))
    core.setOutput('not-scanned', String(totals.notScanned.length))
    core.setOutput('worst-risk', totals.worstRisk === undefined ? '' : String(totals.worstRisk))
    core.setOutput('report-file', reportFile)
    const verdict = verdictLine(totals, inputs.threshold)
    if (!totals.repositories)
      throw new ActionError(
        `No repository record was found under ${logSafe(inputs.directory)}: check that the batch jobs uploaded their artifacts and that they were downloaded there.`
      )
    if (shouldFail(totals, inputs.failOn))
      throw new ActionError(
        `${verdict} ${logSafe(failingNames(totals, inputs.failOn))} See the job summary; "fail-on: ${inputs.failOn}" makes this fail the run.`
      )
    core.info(verdict)
  } catch (error) {
    core.setFailed(`${PREFIX} ${logSafeLines(messageOf(error))}`)
  }
}
