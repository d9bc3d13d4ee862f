import * as core from '@actions/core'
import { ActionError, messageOf } from './errors.js'
import { requireCommandFiles } from './command-files.js'
import { parseInputs, type Config } from './inputs.js'
import type { Installed } from './install/install.js'
import type { CnspecResult } from './scan/run-cnspec.js'
import type { ScanStepResult } from './scan/scan.js'
import {
  checkStatus,
  incognitoFallback,
  publish,
  scan,
  signInAndInstall,
  SetupError,
  statusFailure,
  useIncognito,
  type Setup
} from './steps.js'
import { reportOf, writeSummary } from './summary.js'
import type { Timings } from './timings.js'

const PREFIX = '[cnspec-keyless]'

/** Reads the inputs, signs in, installs, checks connectivity and scans: the action's five steps. */
export async function run(): Promise<void> {
  const started = Date.now()
  const timings: Timings = []
  let config: Config | undefined
  let incognito = false
  let setup: Setup | undefined
  let installed: Installed | undefined
  let status: CnspecResult | undefined
  let scanned: ScanStepResult | undefined
  let failure: string | undefined
  try {
    config = parseInputs(name => core.getInput(name))
    requireCommandFiles(config)
    incognito = useIncognito(config)
    setup = await signInAndInstall(config, incognito, timings)
    status = await checkStatus(config, setup, timings)
    if (status && !status.ok) throw await statusFailure(config, setup, status)
    if (status) core.info(status.verdict)
    publish(config, setup)
    if (config.scan) {
      scanned = await scan(config, setup, incognito, timings)
      if (scanned.fellBackToIncognito) throw await incognitoFallback(config, setup)
      if (!scanned.verdict.ok) throw new ActionError(scanned.verdict.message)
      core.info(scanned.verdict.message)
    }
  } catch (error) {
    failure = messageOf(error)
    // Sign-in may fail after the install worked: the summary should not say "not installed".
    if (error instanceof SetupError) installed = error.installed
    core.setFailed(`${PREFIX} ${messageOf(error)}`)
    if (!(error instanceof ActionError) && error instanceof Error && error.stack)
      core.debug(error.stack)
  } finally {
    timings.push(['total', Date.now() - started])
    // The summary is rendered from the step results, and from none of their secrets.
    await writeSummary(
      reportOf({ config, incognito, setup, installed, status, scanned, failure, timings })
    ).catch(error => core.debug(`job summary not written: ${messageOf(error)}`))
  }
}
