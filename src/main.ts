import { dirname } from 'node:path'
import * as core from '@actions/core'
import type { Credential } from './sign-in/credential.js'
import { ActionError, messageOf } from './errors.js'
import { MISSING_ID_TOKEN, idTokenAvailable } from './sign-in/id-token.js'
import { parseInputs, type Config } from './inputs.js'
import { installCnspec, type Installed } from './install/install.js'
import { policyFromEnv, type RetryOptions } from './net/retry.js'
import {
  cnspecEnv,
  runCnspec,
  scanArgs,
  scanVerdict,
  statusVerdict,
  type CnspecResult
} from './scan/run-cnspec.js'
import { signIn } from './sign-in/sign-in.js'
import { writeSummary, type RunReport } from './summary.js'

const PREFIX = '[cnspec-keyless]'

async function timed<T>(report: RunReport, phase: string, work: () => Promise<T>): Promise<T> {
  const start = Date.now()
  try {
    return await work()
  } finally {
    const ms = Date.now() - start
    report.timings.push([phase, ms])
    core.info(`${phase} took ${(ms / 1000).toFixed(1)} s`)
  }
}

/** One cnspec call in its own log group, timed for the summary. */
function cnspecPhase(
  report: RunReport,
  phase: string,
  title: string,
  work: () => Promise<CnspecResult>
): Promise<CnspecResult> {
  return timed(report, phase, async () => {
    core.startGroup(title)
    try {
      return await work()
    } finally {
      core.endGroup()
    }
  })
}

function settle<T>(result: PromiseSettledResult<T>): T | undefined {
  return result.status === 'fulfilled' ? result.value : undefined
}

/** Signs in and installs at the same time: a cold start costs the longer of the two. */
async function signInAndInstall(
  config: Config,
  incognito: boolean,
  report: RunReport
): Promise<[Credential | undefined, Installed]> {
  const retry: RetryOptions = { policy: policyFromEnv() }
  const logAs = (tag: string) => (line: string) => core.info(`[${tag}] ${line}`)
  const [auth, install] = await Promise.allSettled([
    incognito
      ? Promise.resolve(undefined)
      : timed(report, 'sign-in (id-token + exchange)', () =>
          signIn(config, logAs('sign-in'), { ...retry, log: logAs('sign-in') })
        ),
    timed(report, 'install cnspec', () =>
      installCnspec({
        version: config.cnspecVersion,
        releasesUrl: config.releasesUrl,
        log: logAs('install'),
        warn: line => core.warning(line),
        retry: { ...retry, log: logAs('install') }
      })
    )
  ])
  const failures = [auth, install]
    .filter(r => r.status === 'rejected')
    .map(r => messageOf((r as PromiseRejectedResult).reason))
  if (failures.length) throw new ActionError(failures.join('\n\n'))
  return [settle(auth), settle(install) as Installed]
}

/** Reads the inputs, signs in, installs, checks connectivity and scans: the action's five steps. */
export async function run(): Promise<void> {
  const report: RunReport = { incognito: false, timings: [] }
  const started = Date.now()
  try {
    const config = parseInputs(name => core.getInput(name))
    report.target = config.target.join(' ')

    const incognito = !idTokenAvailable()
    if (incognito && config.onMissingIdToken === 'fail') throw new ActionError(MISSING_ID_TOKEN)
    if (incognito) {
      report.incognito = true
      core.warning(
        'No GitHub OIDC token in this job (a pull request from a fork, Dependabot, or no "id-token: write"): scanning in ' +
          'incognito mode. Nothing is sent to Mondoo and cnspec status is skipped.'
      )
    }

    core.startGroup(incognito ? 'Install cnspec' : 'Sign in to Mondoo (keyless) and install cnspec')
    const [credential, installed] = await signInAndInstall(config, incognito, report).finally(() =>
      core.endGroup()
    )
    report.cnspecVersion = installed.version
    report.cnspecSource = installed.source
    report.spaceMrn = credential?.spaceMrn
    report.serviceAccountMrn = credential?.mrn
    core.info(
      `cnspec ${installed.version} ready at ${installed.binary} (${installed.source === 'cache' ? 'from the tool cache' : 'downloaded and verified'})`
    )
    const env = cnspecEnv(credential?.base64, { githubToken: config.target[0] === 'github' })

    if (config.status && credential) {
      const status = await cnspecPhase(report, 'cnspec status', 'cnspec status', () =>
        runCnspec(installed.binary, ['status', '--log-level', config.logLevel], env).then(out =>
          statusVerdict(out.exitCode)
        )
      )
      report.status = status.ok ? 'connected' : `failed (exit code ${status.exitCode})`
      if (!status.ok) throw new ActionError(status.verdict)
      core.info(status.verdict)
    } else {
      report.status = credential ? 'skipped (status: false)' : 'skipped (incognito)'
    }

    // Only now, with a working install and (when checked) a working credential, does
    // anything leave this step: a failed run exports nothing.
    if (credential) {
      if (config.exportCredentials) core.exportVariable('MONDOO_CONFIG_BASE64', credential.base64)
      core.setOutput('space-mrn', credential.spaceMrn)
      core.setOutput('service-account-mrn', credential.mrn)
      core.setOutput('api-endpoint', credential.apiEndpoint)
    }
    core.setOutput('cnspec-version', installed.version)
    core.setOutput('cnspec-path', installed.binary)
    core.addPath(dirname(installed.binary))

    if (config.scan) {
      const result = await cnspecPhase(report, 'cnspec scan', `cnspec scan ${report.target}`, () =>
        runCnspec(installed.binary, scanArgs(config, incognito), env).then(out =>
          scanVerdict(out.exitCode, config.riskThreshold, out.stdout, out.stderr)
        )
      )
      core.setOutput('scan-exit-code', String(result.exitCode))
      report.scan = result.ok ? 'passed' : 'failed'
      report.scanExitCode = result.exitCode
      if (!result.ok) throw new ActionError(result.verdict)
      core.info(result.verdict)
    }
  } catch (error) {
    report.failure = messageOf(error).split('\n')[0]
    core.setFailed(`${PREFIX} ${messageOf(error)}`)
    if (!(error instanceof ActionError) && error instanceof Error && error.stack)
      core.debug(error.stack)
  } finally {
    report.timings.push(['total', Date.now() - started])
    await writeSummary(report).catch(error =>
      core.debug(`job summary not written: ${messageOf(error)}`)
    )
  }
}
