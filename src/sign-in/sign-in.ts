import * as core from '@actions/core'
import { decodeClaims, describeClaims, rejectionAdvice } from './claims.js'
import { parseCredential, type Credential } from './credential.js'
import { ActionError } from '../errors.js'
import { fetchIdToken } from './id-token.js'
import type { Config } from '../inputs.js'
import type { RetryOptions } from '../net/retry.js'
import { ExchangeRejected, exchangeToken } from './sts.js'
import { urlProblem } from '../net/urls.js'
import { logSafe } from '../text.js'

/** Statuses for which the token's claims tell the user what to fix in Mondoo. */
const CLAIM_DIAGNOSIS = new Set([400, 401, 403, 404])

export function issuerOf(config: Config, claims: Record<string, unknown> | undefined): string {
  if (config.issuer) return config.issuer
  const iss = claims?.iss
  let problem = 'the id-token has no "iss" claim'
  if (typeof iss === 'string') {
    try {
      problem = urlProblem(new URL(iss)) ?? ''
    } catch {
      problem = 'the id-token\'s "iss" claim is not a URL'
    }
    if (!problem) return iss
  }
  throw new ActionError(
    `Cannot tell the STS the issuer: ${problem}. Set the input "issuer" to your GitHub OIDC issuer URL.`
  )
}

/** The space ID at the end of a space MRN or an audience. */
function spaceOf(mrn: string): string {
  return mrn.split('/').pop() ?? ''
}

/**
 * A credential is only good for the space the audience names: one for another space would
 * upload results there, or fail later with a confusing "not registered".
 */
export function checkSpace(credential: Pick<Credential, 'spaceMrn'>, audience: string): void {
  if (spaceOf(credential.spaceMrn) === spaceOf(audience)) return
  throw new ActionError(
    `Mondoo's STS issued a credential for the space "${credential.spaceMrn}", but the audience asked for the space ` +
      `"${audience}". Nothing was exported. Check that "audience" (or "space-id") is the space whose workload identity ` +
      `provider you configured, and that the provider in that space is the one your workflow matches.`
  )
}

/**
 * Gets an id-token from GitHub and exchanges it for a Mondoo credential, which is masked
 * before this returns.
 */
export async function signIn(
  config: Config,
  log: (line: string) => void,
  retry: RetryOptions
): Promise<Credential> {
  const jwt = await fetchIdToken(config.idTokenAudience, retry)
  const claims = decodeClaims(jwt)
  const issuer = issuerOf(config, claims)
  log(
    logSafe(`GitHub id-token for ${String(claims?.sub ?? 'an unknown subject')} (issuer ${issuer})`)
  )
  let raw: unknown
  try {
    raw = await exchangeToken(
      { apiEndpoint: config.apiEndpoint, audience: config.audience, issuer, jwt },
      retry
    )
  } catch (error) {
    if (error instanceof ExchangeRejected && CLAIM_DIAGNOSIS.has(error.status)) {
      throw new ActionError(
        [
          error.message,
          'The id-token GitHub gave this job says:',
          ...describeClaims(claims),
          ...rejectionAdvice(claims, issuer, config.audience, {
            status: error.status,
            apiEndpoint: config.apiEndpoint
          })
        ].join('\n')
      )
    }
    throw error
  }
  const credential = parseCredential(raw, secret => core.setSecret(secret))
  checkSpace(credential, config.audience)
  log(
    logSafe(
      `Mondoo credential for ${credential.mrn} (${credential.kind === 'key' ? 'key pair' : 'token'}, ${credential.apiEndpoint})`
    )
  )
  return credential
}
