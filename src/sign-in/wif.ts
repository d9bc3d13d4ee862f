import * as core from '@actions/core'
import { decodeClaims } from './claims.js'
import { ActionError, messageOf } from '../errors.js'
import { fetchIdToken } from './id-token.js'
import type { Config } from '../inputs.js'
import type { RetryOptions } from '../net/retry.js'
import { issuerOf, signIn } from './sign-in.js'
import {
  buildWifConfig,
  encodeWifConfig,
  WIF_MIN_CNSPEC,
  wifIssuerProblem,
  type WifConfig
} from './wif-config.js'

export interface WifSignIn {
  config: WifConfig
  /** What cnspec reads from MONDOO_CONFIG_BASE64. Not secret. */
  base64: string
}

/**
 * The configuration cnspec gets in wif mode: `wif-config` as given, or built from the inputs.
 * Without an `issuer` input the only reliable issuer is the `iss` of a real id-token (GitHub
 * Enterprise and enterprise-specific issuers differ from the default), so one is requested
 * for that and then dropped: it is masked by the toolkit and never sent to Mondoo.
 */
export async function prepareWif(
  config: Config,
  log: (line: string) => void,
  retry: RetryOptions
): Promise<WifSignIn> {
  let wif = config.wifConfig
  if (!wif) {
    let issuerUri = config.issuer
    if (!issuerUri) {
      issuerUri = issuerOf(config, decodeClaims(await fetchIdToken(config.idTokenAudience, retry)))
      log(`issuer ${issuerUri}: the iss of this job's id-token (requested, not exchanged)`)
      // Known only now: before anything is sent to Mondoo.
      const problem = wifIssuerProblem(issuerUri)
      if (problem) throw new ActionError(problem)
    }
    wif = buildWifConfig({
      audience: config.audience,
      issuerUri,
      universeDomain: config.apiEndpoint
    })
  }
  log(
    `workload identity configuration for ${wif.audience} at ${wif.universeDomain} (issuer ${wif.issuerUri}); ` +
      "cnspec exchanges the job's id-token itself, the action exchanges nothing"
  )
  core.debug(`workload identity configuration (not secret): ${JSON.stringify(wif)}`)
  return { config: wif, base64: encodeWifConfig(wif) }
}

export function wifVersionError(installed: string): ActionError {
  return new ActionError(
    `credential-mode wif needs cnspec ${WIF_MIN_CNSPEC} or newer (cnspec exchanges the id-token itself ` +
      `since then), but this job has cnspec ${installed}. Set the input "cnspec-version" to "latest" or ` +
      `${WIF_MIN_CNSPEC} or newer, or use "credential-mode: key".`
  )
}

/**
 * cnspec's own exchange failed, and cnspec does not say why. The action exchanges once
 * itself to get Mondoo's reason and the token's claims (a credential it gets that way is
 * masked by signIn and dropped), then lists the causes that only cnspec's process could meet.
 */
export async function diagnoseWif(
  config: Config,
  what: string,
  causes: { always?: string[]; ifExchanged?: string[] },
  log: (line: string) => void,
  retry: RetryOptions
): Promise<ActionError> {
  let finding: string
  let exchanged = false
  try {
    await signIn(config, log, retry)
    exchanged = true
    finding =
      "It succeeded, so the binding accepts this job's id-token now: the failure was in cnspec's own process."
  } catch (error) {
    finding = messageOf(error)
  }
  return new ActionError(
    [
      what,
      `The action exchanged the job's id-token once itself to find out why. ${finding}`,
      ...(causes.always ?? []),
      // Where the action's exchange failed too, Mondoo's answer above is the reason.
      ...(exchanged ? (causes.ifExchanged ?? []) : [])
    ].join('\n')
  )
}
