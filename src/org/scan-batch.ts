import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import * as core from '@actions/core'
import { ActionError, messageOf } from '../errors.js'
import { baseUrl, urlProblem } from '../net/urls.js'
import type { RepositoryRecord } from '../scan/report-types.js'
import { cnspecEnv } from '../scan/run-cnspec.js'
import { logSafe, logSafeLines } from '../text.js'
import {
  collectInputs,
  parseChoice,
  parseCount,
  parseOrganisation,
  parseRepositories,
  parseRiskThreshold,
  parseToken
} from './inputs.js'
import { check, parseUrl } from '../inputs.js'
import { envThresholds, withheldVariables, withheldWarning } from '../scan/mondoo-env.js'
import { effectiveThreshold } from '../scan/scan-args.js'
import { STEP_LIMITS, renderOrgSummary } from './render-summary.js'
import { SCAN_CHOICES, scanRepository, type ScanKind } from './scan-repository.js'

const PREFIX = '[cnspec-keyless org]'

/** The web and git server: GITHUB_SERVER_URL on GitHub Enterprise Server, github.com otherwise. */
function serverUrl(): string {
  const raw = process.env.GITHUB_SERVER_URL || 'https://github.com'
  const url = new URL(raw)
  const problem = urlProblem(url)
  if (problem) throw new ActionError(`GITHUB_SERVER_URL ${problem}.`)
  return baseUrl(url)
}

/**
 * What cnspec gets: the action's rule (src/scan/run-cnspec.ts), so the runner's tokens and
 * the MONDOO_* variables that would choose another credential stay out of it here as well.
 * The id-token request variables stay only when the main action exported a secretless
 * configuration, with which cnspec signs in itself.
 */
function batchEnv(updatesUrl: string): Record<string, string> {
  const withheld = withheldVariables()
  if (withheld.length) core.warning(withheldWarning(withheld))
  const config = process.env.MONDOO_CONFIG_BASE64
  return cnspecEnv(config, { idTokenRequest: isWifConfig(config), updatesUrl })
}

/** True for a workload-identity configuration (not secret); a key credential stays unread. */
export function isWifConfig(base64: string | undefined): boolean {
  if (!base64) return false
  try {
    const decoded = JSON.parse(Buffer.from(base64, 'base64').toString('utf8')) as unknown
    return (decoded as { type?: unknown } | null)?.type === 'external_account'
  } catch {
    return false
  }
}

function describe(record: RepositoryRecord): string {
  const risk = record.worstRisk === undefined ? 'no score' : `worst risk ${record.worstRisk}`
  if (record.verdict === 'passed') return `passed (${risk}, ${record.checksFailed} failing checks)`
  if (record.verdict === 'threshold') return `over the risk threshold (${risk})`
  return `not scanned: ${record.error ?? record.verdict}`
}

/**
 * Scans each repository of one matrix batch. cnspec and MONDOO_CONFIG_BASE64 come from the
 * main action run before it (scan: false), so the job signs in to Mondoo once whatever the
 * batch size. Writes records/<name>.json and sarif/<name>.<kind>.sarif per repository.
 */
export async function run(): Promise<void> {
  try {
    const get = (name: string) => core.getInput(name)
    const organisation = parseOrganisation(get)
    const inputs = collectInputs({
      repositories: () => parseRepositories(get('repositories'), organisation),
      token: () => parseToken(get),
      scan: () => parseChoice('scan', get('scan'), SCAN_CHOICES, 'settings'),
      threshold: () => parseRiskThreshold(get('risk-threshold')),
      envThresholds: () => {
        const { thresholds, problems } = envThresholds()
        if (problems.length) throw new ActionError(problems.join('\n'))
        return thresholds
      },
      releasesUrl: () =>
        parseUrl('releases-url', get('releases-url'), 'https://releases.mondoo.com'),
      cnspec: () => check('cnspec-path', get('cnspec-path')) || 'cnspec',
      outputDirectory: () => check('output-directory', get('output-directory')),
      timeoutMinutes: () => parseCount('timeout-minutes', get('timeout-minutes'), 20, 360)
    })
    core.setSecret(inputs.token)
    const server = serverUrl()
    const temp = process.env.RUNNER_TEMP || '.'
    const outputDirectory = inputs.outputDirectory || join(temp, 'cnspec-org')
    mkdirSync(join(outputDirectory, 'records'), { recursive: true })
    const scratch = mkdtempSync(join(temp, 'cnspec-org-clones-'))
    const kinds: ScanKind[] = inputs.scan === 'both' ? ['settings', 'code'] : [inputs.scan]
    if (!process.env.MONDOO_CONFIG_BASE64)
      core.warning(
        'MONDOO_CONFIG_BASE64 is not set: run the main action with "scan: false" earlier in this job to sign in; ' +
          'without it cnspec scans in incognito mode and nothing reaches Mondoo.'
      )
    const env = batchEnv(inputs.releasesUrl)
    const threshold = effectiveThreshold({
      riskThreshold: inputs.threshold,
      args: [],
      envThresholds: inputs.envThresholds
    })
    const records: RepositoryRecord[] = []
    try {
      for (const [i, name] of inputs.repositories.entries()) {
        const { record } = await core.group(
          `${organisation}/${name} (${i + 1} of ${inputs.repositories.length}: ${kinds.join(' + ')})`,
          async () => {
            const result = await scanRepository({
              organisation,
              name,
              kinds,
              token: inputs.token,
              cnspec: inputs.cnspec,
              threshold,
              outputDirectory,
              scratch,
              serverUrl: server,
              timeoutMs: inputs.timeoutMinutes * 60000,
              env,
              log: line => core.info(logSafe(line))
            })
            for (const r of result.results)
              core.info(logSafeLines(`${r.kind}: ${r.verdict.message}`))
            return result
          }
        )
        writeFileSync(join(outputDirectory, 'records', `${name}.json`), JSON.stringify(record))
        records.push(record)
        core.info(logSafe(`${record.repository}: ${describe(record)}`))
      }
    } finally {
      rmSync(scratch, { recursive: true, force: true })
    }
    const scanned = records.filter(r => r.verdict === 'passed' || r.verdict === 'threshold')
    const over = records.filter(r => r.verdict === 'threshold')
    const notScanned = records.length - scanned.length
    if (process.env.GITHUB_STEP_SUMMARY) {
      const batch = renderOrgSummary({
        title: `${organisation}, ${records.length} repositor${records.length === 1 ? 'y' : 'ies'} of this job`,
        records,
        missing: [],
        threshold: inputs.threshold,
        limits: STEP_LIMITS
      })
      await core.summary.addRaw(batch, true).write()
    }
    core.setOutput('output-directory', outputDirectory)
    core.setOutput('scanned', String(scanned.length))
    core.setOutput('failed-threshold', String(over.length))
    core.setOutput('not-scanned', String(notScanned))
    core.info(
      `${records.length} repositories: ${scanned.length} scanned (${over.length} over the risk threshold), ${notScanned} not scanned. ` +
        'The organisation summary job judges the whole run.'
    )
    if (!scanned.length)
      throw new ActionError(
        `None of the ${records.length} repositories of this batch could be scanned; the first reason: ${records[0]?.error ?? 'unknown'}`
      )
  } catch (error) {
    core.setFailed(`${PREFIX} ${logSafeLines(messageOf(error))}`)
  }
}
