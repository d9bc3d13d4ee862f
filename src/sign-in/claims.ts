import { logSafe } from '../text.js'

/** The id-token claims that are safe to print and that Mondoo's provider settings match. */
export const DIAGNOSTIC_CLAIMS = [
  'iss',
  'sub',
  'aud',
  'repository',
  'ref',
  'job_workflow_ref',
  'environment',
  'event_name'
] as const

export type Claims = Record<string, unknown>

const ORGANISATIONS_GUIDE =
  'https://github.com/mondoohq-community/cnspec-keyless-action/blob/main/docs/ORGANISATIONS.md'
/** Where a per-repository subject learns of the organisation-wide one. */
export const ORGANISATION_TRUST = `${ORGANISATIONS_GUIDE}#one-provider-for-the-whole-organisation`
export const ROLL_NEW_VERSION = `${ORGANISATIONS_GUIDE}#roll-out-a-new-version`

/**
 * Reads a JWT's payload without verifying it: the STS verifies; we only need the issuer
 * default and words for diagnostics. Returns undefined for anything that is not a JWT.
 */
export function decodeClaims(jwt: string): Claims | undefined {
  const parts = jwt.split('.')
  if (parts.length !== 3 || !parts[1]) return undefined
  try {
    const json = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as unknown
    return json && typeof json === 'object' && !Array.isArray(json) ? (json as Claims) : undefined
  } catch {
    return undefined
  }
}

/** A claim as inert text: claims are chosen by whoever controls the workflow's inputs. */
function show(value: unknown): string {
  if (value === undefined || value === null || value === '') return '(not set)'
  if (Array.isArray(value)) return logSafe(value.map(String).join(', '))
  return logSafe(typeof value === 'object' ? JSON.stringify(value) : String(value))
}

/** One line per diagnostic claim, for the log of a rejected exchange. */
export function describeClaims(claims: Claims | undefined): string[] {
  if (!claims) return ['(the id-token could not be decoded)']
  return DIAGNOSTIC_CLAIMS.map(name => `  ${name.padEnd(16)} ${show(claims[name])}`)
}

/** What to change in Mondoo, given the claims of a token the STS refused. */
export function rejectionAdvice(
  claims: Claims | undefined,
  sentIssuer: string,
  audience: string,
  answer: { status?: number; apiEndpoint?: string } = {}
): string[] {
  const iss = show(claims?.iss)
  const sub = show(claims?.sub)
  if (answer.status === 404) {
    // Not found: no provider answers for this audience here; issuer and subject were not checked yet.
    return [
      `Mondoo found no workload identity provider for the audience "${logSafe(audience)}"${answer.apiEndpoint ? ` at ${logSafe(answer.apiEndpoint)}` : ''}. Check:`,
      '  - "audience" (or "space-id") names the space that holds the provider: copy it from the provider in the Mondoo console',
      '  - "api-endpoint" is the region of that space ("us" or "eu"); a space in one region is unknown in the other',
      '  - the provider has not been deleted'
    ]
  }
  // GitHub's default subject starts with repo:; a customised template may drop the repository.
  const perRepository = typeof claims?.sub === 'string' && claims.sub.startsWith('repo:')
  const advice = [
    `In the Mondoo console, open the space's workload identity provider for GitHub and check:`,
    `  - Issuer URL equals "${sentIssuer}"${sentIssuer !== iss ? ` (the token's iss is "${iss}": leave the input "issuer" empty to send it)` : ''}`,
    `  - Subject equals "${sub}" (it must match exactly${perRepository ? '; a new branch, tag, environment or pull request changes it' : ''})`,
    `  - the provider belongs to the space of the audience "${logSafe(audience)}"`
  ]
  // Mondoo checks the token's aud against the audience; "id-token-audience" changes only aud.
  if (claims && ![claims.aud].flat().map(String).includes(audience)) {
    advice.unshift(
      `The token's aud is "${show(claims.aud)}", not the audience "${logSafe(audience)}": leave the input "id-token-audience" empty, so GitHub mints the token for the Mondoo audience.`
    )
  }
  if (typeof claims?.sub === 'string' && /@\d+\//.test(claims.sub)) {
    advice.push(
      '  - this repository uses immutable subjects (owner@id/repo@id): register that exact form'
    )
  }
  const workflow = typeof claims?.job_workflow_ref === 'string' ? claims.job_workflow_ref : ''
  if (perRepository && workflow && typeof claims?.repository === 'string') {
    const workflowRepo = workflow.split('/').slice(0, 2).join('/')
    if (workflowRepo !== claims.repository) {
      advice.push(
        `  - this job runs the reusable workflow ${logSafe(workflow)}: sub describes the calling repository, not the workflow`
      )
    }
  }
  if (perRepository) {
    advice.push(
      `  - a per-repository subject needs a provider per repository, branch and event; one provider can trust the whole organisation instead: ${ORGANISATION_TRUST}`
    )
  } else if (typeof claims?.sub === 'string' && claims.sub.includes('job_workflow_ref:')) {
    advice.push(
      `  - this subject names the reusable workflow at one ref (${logSafe(workflow || 'see job_workflow_ref')}): another workflow, or another ref of it, presents another subject. After moving to a new version, register its subject: ${ROLL_NEW_VERSION}`
    )
  }
  return advice
}
