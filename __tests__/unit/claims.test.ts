import { describe, expect, it } from '@jest/globals'
import {
  DIAGNOSTIC_CLAIMS,
  decodeClaims,
  describeClaims,
  ORGANISATION_TRUST,
  ROLL_NEW_VERSION,
  rejectionAdvice,
  type Claims
} from '../../src/sign-in/claims.js'

const ISSUER = 'https://token.actions.githubusercontent.com'
const AUDIENCE = '//captain.api.mondoo.app/spaces/my-space-123'

function b64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url')
}

/** A token shaped like GitHub's; the signature is junk because nothing here verifies it. */
function jwt(payload: unknown): string {
  return `${b64url('{"alg":"RS256","typ":"JWT"}')}.${b64url(JSON.stringify(payload))}.c2lnbmF0dXJl`
}

const CLAIMS: Claims = {
  iss: ISSUER,
  sub: 'repo:acme/app:ref:refs/heads/main',
  aud: AUDIENCE,
  repository: 'acme/app',
  ref: 'refs/heads/main',
  job_workflow_ref: 'acme/app/.github/workflows/scan.yml@refs/heads/main',
  event_name: 'push',
  run_id: '123'
}

describe('decodeClaims', () => {
  it('reads the payload of a GitHub-style JWT', () => {
    expect(decodeClaims(jwt(CLAIMS))).toEqual(CLAIMS)
  })

  it('reads base64url characters (- and _) and non-ASCII text', () => {
    // "?>>" and "~~" encode to base64url text with "-" and "_" in it.
    const claims = { sub: 'ü?>>?~~', environment: 'prod ☁' }
    const token = jwt(claims)
    expect(token.split('.')[1]).toMatch(/[-_]/)
    expect(decodeClaims(token)).toEqual(claims)
  })

  it.each([
    ['an empty string', ''],
    ['two parts', 'a.b'],
    ['four parts', `${jwt(CLAIMS)}.x`],
    ['an empty payload', 'a..c'],
    ['a payload that is not JSON', `a.${b64url('not json')}.c`],
    ['a JSON array', `a.${b64url('[1,2]')}.c`],
    ['JSON null', `a.${b64url('null')}.c`],
    ['a JSON string', `a.${b64url('"sub"')}.c`],
    ['a JSON number', `a.${b64url('42')}.c`]
  ])('gives undefined for %s', (_, token) => {
    expect(decodeClaims(token)).toBeUndefined()
  })
})

describe('describeClaims', () => {
  it('prints one aligned line per diagnostic claim, and nothing else', () => {
    const lines = describeClaims({ ...CLAIMS, secret_like: 'x', aud: ['a', 'b'] })
    expect(lines).toHaveLength(DIAGNOSTIC_CLAIMS.length)
    expect(lines).toContain(`  iss              ${ISSUER}`)
    expect(lines).toContain('  sub              repo:acme/app:ref:refs/heads/main')
    expect(lines).toContain('  aud              a, b')
    expect(lines).toContain('  environment      (not set)')
    expect(lines.join('\n')).not.toContain('run_id')
    expect(lines.join('\n')).not.toContain('secret_like')
  })

  it('says (not set) for null and empty claims', () => {
    expect(describeClaims({ sub: '', environment: null })).toContain('  sub              (not set)')
  })

  it('says the token could not be decoded when there are no claims', () => {
    expect(describeClaims(undefined)).toEqual(['(the id-token could not be decoded)'])
  })
})

describe('rejectionAdvice', () => {
  it('names the sent issuer, the exact subject and the audience', () => {
    const advice = rejectionAdvice(CLAIMS, ISSUER, AUDIENCE).join('\n')
    expect(advice).toContain(`Issuer URL equals "${ISSUER}"`)
    expect(advice).toContain('Subject equals "repo:acme/app:ref:refs/heads/main"')
    expect(advice).toContain(`the audience "${AUDIENCE}"`)
    expect(advice).not.toContain('immutable')
    expect(advice).not.toContain('reusable workflow')
    expect(advice).not.toContain('leave the input "issuer" empty')
  })

  it('points at "id-token-audience" when the token was minted for another aud', () => {
    const advice = rejectionAdvice({ ...CLAIMS, aud: 'something-else' }, ISSUER, AUDIENCE)
    expect(advice[0]).toBe(
      `The token's aud is "something-else", not the audience "${AUDIENCE}": leave the input "id-token-audience" empty, so GitHub mints the token for the Mondoo audience.`
    )
    expect(rejectionAdvice(CLAIMS, ISSUER, AUDIENCE).join('\n')).not.toContain('id-token-audience')
  })

  it('points at the "issuer" input when the sent issuer is not the token’s iss', () => {
    const advice = rejectionAdvice(CLAIMS, 'https://ghe.example.com/_services/token', AUDIENCE)
    expect(advice.join('\n')).toContain(
      `(the token's iss is "${ISSUER}": leave the input "issuer" empty to send it)`
    )
  })

  it('explains immutable subjects (owner@id/repo@id)', () => {
    const sub = 'repo:acme@1234567/app@89012345:ref:refs/heads/main'
    const advice = rejectionAdvice({ ...CLAIMS, sub }, ISSUER, AUDIENCE).join('\n')
    expect(advice).toContain(`Subject equals "${sub}"`)
    expect(advice).toContain('immutable subjects (owner@id/repo@id): register that exact form')
  })

  it('does not mistake an @ in an environment name for an immutable subject', () => {
    const sub = 'repo:acme/app:environment:prod@eu'
    expect(rejectionAdvice({ ...CLAIMS, sub }, ISSUER, AUDIENCE).join('\n')).not.toContain(
      'immutable'
    )
  })

  it('explains that sub describes the caller when a reusable workflow in another repository runs', () => {
    const claims = {
      ...CLAIMS,
      job_workflow_ref: 'acme/shared-workflows/.github/workflows/cnspec.yml@refs/tags/v1'
    }
    const advice = rejectionAdvice(claims, ISSUER, AUDIENCE).join('\n')
    expect(advice).toContain(
      'this job runs the reusable workflow acme/shared-workflows/.github/workflows/cnspec.yml@refs/tags/v1: sub describes the calling repository, not the workflow'
    )
  })

  it('points a per-repository subject at the organisation-wide trust', () => {
    const advice = rejectionAdvice(CLAIMS, ISSUER, AUDIENCE).join('\n')
    expect(advice).toContain(
      `one provider can trust the whole organisation instead: ${ORGANISATION_TRUST}`
    )
    expect(ORGANISATION_TRUST).toMatch(
      /docs\/ORGANISATIONS\.md#one-provider-for-the-whole-organisation$/
    )
  })

  it('for an organisation-wide subject, names the pinned workflow and how to roll a new version', () => {
    const ref = 'acme/security-workflows/.github/workflows/cnspec.yml@refs/tags/v2'
    const sub = `repository_owner_id:42:job_workflow_ref:${ref}`
    const advice = rejectionAdvice(
      { ...CLAIMS, sub, job_workflow_ref: ref },
      ISSUER,
      AUDIENCE
    ).join('\n')
    expect(advice).toContain(`Subject equals "${sub}" (it must match exactly)`)
    expect(advice).toContain(`the reusable workflow at one ref (${ref})`)
    expect(advice).toContain(ROLL_NEW_VERSION)
    expect(advice).not.toContain(ORGANISATION_TRUST)
    expect(advice).not.toContain('sub describes the calling repository')
  })

  it('gives general advice when the token could not be decoded', () => {
    const advice = rejectionAdvice(undefined, ISSUER, AUDIENCE)
    expect(advice).toHaveLength(4)
    expect(advice.join('\n')).toContain('Subject equals "(not set)"')
  })
})
