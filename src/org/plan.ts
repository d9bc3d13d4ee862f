import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import * as core from '@actions/core'
import { ActionError, messageOf } from '../errors.js'
import { TOKEN_REPOSITORY_LIMIT, splitIntoBatches, type Batch } from './batches.js'
import {
  collectInputs,
  parseMaxJobs,
  parseOrganisation,
  parseSelection,
  parseToken
} from './inputs.js'
import { listRepositories } from './list-repositories.js'
import { selectRepositories, type SkipReason } from './select.js'
import { logSafe, logSafeLines } from '../text.js'

export const PREFIX = '[cnspec-keyless org]'

/** What the plan job hands to the matrix and to the summary (as plan.json in an artifact). */
export interface Plan {
  organisation: string
  /** ISO time the plan started: the summary measures the whole run from it. */
  startedAt: string
  listed: number
  skipped: Record<SkipReason, number>
  /** Full names of every repository to scan, each in exactly one batch. */
  repositories: string[]
  batches: Batch[]
}

/** One matrix entry: a job scans the repositories of one batch. */
export interface MatrixEntry {
  batch: string
  /** The job's display name: the repository, or the batch and its range. */
  name: string
  /** Names without the owner, comma separated, as actions/create-github-app-token takes them. */
  repositories: string
}

export function matrixOf(plan: Plan): { include: MatrixEntry[] } {
  return {
    include: plan.batches.map(batch => {
      const names = batch.repositories.map(r => r.slice(r.indexOf('/') + 1))
      const name =
        names.length === 1
          ? (names[0] as string)
          : `batch ${batch.id}: ${names.length} repositories (${names[0]} … ${names[names.length - 1]})`
      return { batch: batch.id, name, repositories: names.join(',') }
    })
  }
}

export async function run(): Promise<void> {
  const startedAt = new Date().toISOString()
  try {
    const get = (name: string) => core.getInput(name)
    const inputs = collectInputs({
      organisation: () => parseOrganisation(get),
      token: () => parseToken(get),
      selection: () => parseSelection(get),
      maxJobs: () => parseMaxJobs(get)
    })
    core.setSecret(inputs.token)
    const listed = await core.group(`List the repositories of ${inputs.organisation}`, () =>
      listRepositories({
        token: inputs.token,
        organisation: inputs.organisation,
        log: line => core.info(logSafe(line))
      })
    )
    const selected = selectRepositories(listed, inputs.selection)
    const names = selected.repositories.map(r => r.fullName)
    const batches = splitIntoBatches(names, inputs.maxJobs)
    const largest = Math.max(0, ...batches.map(b => b.repositories.length))
    if (largest > TOKEN_REPOSITORY_LIMIT)
      throw new ActionError(
        `${names.length} repositories in at most ${inputs.maxJobs} jobs puts ${largest} in one job, but a GitHub App ` +
          `token can cover at most ${TOKEN_REPOSITORY_LIMIT}. Narrow the selection with "include", "topics" or ` +
          `"visibility", or run several workflows with different filters.`
      )
    const plan: Plan = {
      organisation: inputs.organisation,
      startedAt,
      listed: listed.length,
      skipped: selected.skipped,
      repositories: names,
      batches
    }
    const skipped = Object.entries(selected.skipped)
      .filter(([, n]) => n > 0)
      .map(([reason, n]) => `${n} ${reason}`)
    core.info(
      `${names.length} of ${listed.length} repositories selected` +
        (skipped.length ? ` (skipped: ${skipped.join(', ')})` : '') +
        `; ${batches.length} job(s), ${largest > 1 ? `up to ${largest}` : '1'} repositor${largest > 1 ? 'ies' : 'y'} each.`
    )
    if (!names.length)
      core.warning(
        `No repository of ${inputs.organisation} matches the filters; nothing will be scanned. Check "include", ` +
          `"exclude", "topics" and "visibility", and that the token can see the repositories.`
      )
    const dir = join(process.env.RUNNER_TEMP ?? '.', 'cnspec-org-plan')
    mkdirSync(dir, { recursive: true })
    const planFile = join(dir, 'plan.json')
    writeFileSync(planFile, JSON.stringify(plan))
    core.setOutput('matrix', JSON.stringify(matrixOf(plan)))
    core.setOutput('repositories', String(names.length))
    core.setOutput('jobs', String(batches.length))
    core.setOutput('plan-file', planFile)
  } catch (error) {
    core.setFailed(`${PREFIX} ${logSafeLines(messageOf(error))}`)
  }
}
