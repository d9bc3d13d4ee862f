// The action's steps, each returning what it did: main.ts only puts them in order.
import { dirname } from 'node:path'
import * as core from '@actions/core'
import type { Credential } from './sign-in/credential.js'
import { ActionError, messageOf } from './errors.js'
import { MISSING_ID_TOKEN, idTokenAvailable } from './sign-in/id-token.js'
import type { Config } from './inputs.js'
import { installCnspec, type Installed } from './install/install.js'
import { retryPolicy, type RetryOptions } from './net/retry.js'
import { cnspecEnv, runCnspec, statusVerdict, type CnspecResult } from './scan/run-cnspec.js'
import { scanOutputs } from './scan/outputs.js'
import { withheldVariables, withheldWarning } from './scan/mondoo-env.js'
import { runScan, type ScanStepResult } from './scan/scan.js'
import { signIn } from './sign-in/sign-in.js'
import { SCAN_EXCHANGE_CAUSES } from './scan/incognito-fallback.js'
import { diagnoseWif, prepareWif, wifVersionError, type WifSignIn } from './sign-in/wif.js'
import { supportsWif } from './sign-in/wif-config.js'
import { timed, type Timings } from './timings.js'

function settle<T>(result: PromiseSettledResult<T>): T | undefined {
  return result.status === 'fulfilled' ? result.value : undefined
}

/** What signing in and installing produced. The credential is secret: never rendered. */
export interface Setup {
  credential?: Credential
  /** credential-mode wif: the configuration cnspec exchanges with itself. Not secret. */
  wif?: WifSignIn
  installed: Installed
  /** cnspec's environment, the credential included. */
  env: Record<string, string>
}

/** Signing in failed, or the install did: says what the install produced, for the summary. */
export class SetupError extends ActionError {
  constructor(
    message: string,
    readonly installed?: Installed
  ) {
    super(message)
    this.name = 'SetupError'
  }
}

/** Without an id-token: fail, or warn and scan in incognito mode, as "on-missing-id-token" says. */
export function useIncognito(config: Config): boolean {
  if (idTokenAvailable()) return false
  if (config.onMissingIdToken === 'fail') throw new ActionError(MISSING_ID_TOKEN)
  core.warning(
    'No GitHub OIDC token in this job (a pull request from a fork, Dependabot, or no "id-token: write"): scanning in ' +
      'incognito mode. Nothing is sent to Mondoo and cnspec status is skipped.'
  )
  return true
}

/**
 * Signs in and installs at the same time: a cold start costs the longer of the two. In
 * credential-mode wif the action exchanges nothing: cnspec gets a configuration instead.
 */
export async function signInAndInstall(
  config: Config,
  incognito: boolean,
  timings: Timings
): Promise<Setup> {
  const wifMode = config.credentialMode === 'wif' && !incognito
  const exchange = !incognito && !wifMode
  core.startGroup(exchange ? 'Sign in to Mondoo (keyless) and install cnspec' : 'Install cnspec')
  const retry: RetryOptions = { policy: retryPolicy() }
  const logAs = (tag: string) => (line: string) => core.info(`[${tag}] ${line}`)
  const [auth, install] = await Promise.allSettled([
    exchange
      ? timed(timings, 'sign-in (id-token + exchange)', () =>
          signIn(config, logAs('sign-in'), { ...retry, log: logAs('sign-in') })
        )
      : Promise.resolve(undefined),
    timed(timings, 'install cnspec', () =>
      installCnspec({
        version: config.cnspecVersion,
        releasesUrl: config.releasesUrl,
        log: logAs('install'),
        warn: line => core.warning(line),
        retry: { ...retry, log: logAs('install') }
      })
    )
  ]).finally(() => core.endGroup())
  const failures = [auth, install]
    .filter(r => r.status === 'rejected')
    .map(r => messageOf((r as PromiseRejectedResult).reason))
  const installed = settle(install)
  if (installed)
    core.info(
      `cnspec ${installed.version} ready at ${installed.binary} (${installed.source === 'cache' ? 'from the tool cache' : 'downloaded and verified'})`
    )
  if (failures.length || !installed) throw new SetupError(failures.join('\n\n'), installed)
  const credential = settle(auth)
  // cnspec reads GITHUB_TOKEN only to scan GitHub itself; other targets do not get it.
  const githubToken = config.target[0] === 'github'
  const updatesUrl = config.releasesUrl
  if (!wifMode)
    return withEnv(
      { credential, installed },
      cnspecEnv(credential?.base64, { githubToken, updatesUrl })
    )
  try {
    // Before any token request: an older cnspec would scan in incognito without a word.
    if (!supportsWif(installed.version)) throw wifVersionError(installed.version)
    const wif = await timed(timings, 'workload identity configuration', () =>
      prepareWif(config, logAs('sign-in'), { ...retry, log: logAs('sign-in') })
    )
    return withEnv(
      { wif, installed },
      cnspecEnv(wif.base64, { idTokenRequest: true, githubToken, updatesUrl })
    )
  } catch (error) {
    throw error instanceof ActionError ? new SetupError(error.message, installed) : error
  }
}

/** Names (never values) of the runner's variables cnspec does not get, for a debug run. */
function withEnv(setup: Omit<Setup, 'env'>, env: Record<string, string>): Setup {
  const mondoo = withheldVariables()
  if (mondoo.length) core.warning(withheldWarning(mondoo))
  const withheld = Object.keys(process.env).filter(name => !(name in env))
  core.debug(`cnspec's environment withholds: ${withheld.sort().join(', ') || 'nothing'}`)
  return { ...setup, env }
}

/** cnspec's own exchange failed (wif): the action exchanges once itself to say why. */
function diagnose(
  config: Config,
  what: string,
  causes: { always?: string[]; ifExchanged?: string[] }
): Promise<ActionError> {
  return diagnoseWif(config, what, causes, line => core.info(`[diagnosis] ${line}`), {
    policy: retryPolicy()
  })
}

/** `cnspec status`, in its own group, when there is a credential and "status" asks for it. */
export async function checkStatus(
  config: Config,
  setup: Setup,
  timings: Timings
): Promise<CnspecResult | undefined> {
  if (!config.status || !(setup.credential || setup.wif)) return undefined
  return timed(timings, 'cnspec status', async () => {
    core.startGroup('cnspec status')
    try {
      const out = await runCnspec(
        setup.installed.binary,
        ['status', '--log-level', config.logLevel],
        setup.env
      )
      return statusVerdict(out.exitCode)
    } finally {
      core.endGroup()
    }
  })
}

/** Why `cnspec status` failed, as an error for the step. */
export async function statusFailure(
  config: Config,
  setup: Setup,
  status: CnspecResult
): Promise<ActionError> {
  if (setup.wif && status.exitCode === 1)
    return diagnose(
      config,
      "cnspec status could not exchange the job's id-token at Mondoo (credential-mode wif).",
      {
        ifExchanged: [
          'Check that cnspec can reach ACTIONS_ID_TOKEN_REQUEST_URL and "api-endpoint" (on self-hosted ' +
            "runners: the proxy settings), and cnspec's own log above."
        ]
      }
    )
  return new ActionError(status.verdict)
}

/**
 * Only once the install works and (when checked) the credential does, does anything leave
 * this step: a failed run exports nothing.
 */
export function publish(config: Config, { credential, wif, installed }: Setup): void {
  if (wif) {
    // Not secret, so not masked: later steps get a configuration, not a key.
    if (config.exportCredentials) core.exportVariable('MONDOO_CONFIG_BASE64', wif.base64)
    core.setOutput('space-mrn', wif.config.audience)
    core.setOutput('api-endpoint', wif.config.universeDomain)
  }
  if (credential) {
    if (config.exportCredentials) core.exportVariable('MONDOO_CONFIG_BASE64', credential.base64)
    core.setOutput('space-mrn', credential.spaceMrn)
    core.setOutput('service-account-mrn', credential.mrn)
    core.setOutput('api-endpoint', credential.apiEndpoint)
  }
  core.setOutput('cnspec-version', installed.version)
  core.setOutput('cnspec-path', installed.binary)
  core.addPath(dirname(installed.binary))
}

/** `cnspec scan`, once; its outputs are set from its result, pass or fail. */
export async function scan(
  config: Config,
  setup: Setup,
  incognito: boolean,
  timings: Timings
): Promise<ScanStepResult> {
  const { installed, env } = setup
  const result = await timed(timings, 'cnspec scan', () =>
    runScan({ config, binary: installed.binary, version: installed.version, env, incognito })
  )
  const outputs = scanOutputs(result.exitCode, result.report, result.reportFile, message =>
    core.warning(message)
  )
  for (const [name, value] of Object.entries(outputs)) core.setOutput(name, value)
  return result
}

/** cnspec scan switched to incognito on its own: its results went nowhere, so the step fails. */
export async function incognitoFallback(config: Config, setup: Setup): Promise<ActionError> {
  const what =
    "cnspec scan could not exchange the job's id-token and fell back to an incognito scan: its results were " +
    `not uploaded to Mondoo${config.status ? ', although cnspec status had exchanged successfully' : ''}.`
  return setup.wif
    ? diagnose(config, what, { always: SCAN_EXCHANGE_CAUSES })
    : new ActionError(what)
}
