// One Mondoo provider for a whole organisation (docs/ORGANISATIONS.md): the organisation's
// OIDC subject template is ["repository_owner_id", "job_workflow_ref"], so every repository
// that calls the pinned reusable workflow presents one subject, and nothing else does.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { ORGANISATION_TRUST, ROLL_NEW_VERSION } from '../../src/sign-in/claims.js'
import { errorOf, harness, type Harness } from '../helpers.js'

const OWNER_ID = '4242001'
const PINNED_SHA = 'a3f1c9e07b5d2468ace13579bdf02468ace13579'
const WORKFLOW = 'acme/security-workflows/.github/workflows/cnspec.yml'
const PINNED = `${WORKFLOW}@${PINNED_SHA}`
const SUBJECT = `repository_owner_id:${OWNER_ID}:job_workflow_ref:${PINNED}`
const authOnly = { status: 'false', scan: 'false' }

/** The claims GitHub gives a job of `repository` that runs `jobWorkflowRef`. */
function jobOf(repository: string, jobWorkflowRef: string, ownerId = OWNER_ID) {
  const [owner] = repository.split('/')
  return {
    repository,
    repository_owner: owner,
    repository_owner_id: ownerId,
    workflow_ref: `${repository}/.github/workflows/security.yml@refs/heads/main`,
    job_workflow_ref: jobWorkflowRef
  }
}

let h: Harness
beforeAll(async () => {
  h = await harness()
  h.sandbox.sts.providers.push({
    spaceId: 'sandbox-space-123456',
    issuer: h.sandbox.oidc.issuer,
    subject: SUBJECT
  })
})
afterAll(async () => h.sandbox.close())
beforeEach(() => {
  h.sandbox.reset()
  h.sandbox.oidc.options.subClaimKeys = ['repository_owner_id', 'job_workflow_ref']
})

describe('one provider for the subject of the pinned reusable workflow', () => {
  it('signs in jobs of two repositories, on any branch or event, that call the pinned workflow', async () => {
    h.sandbox.oidc.options.claims = jobOf('acme/payments-api', PINNED)
    const issued = h.sandbox.sts.issued.length
    const first = await h.run({ inputs: { ...authOnly, status: 'true' } })
    expect(errorOf(first)).toBe('')
    expect(first.stdout).toContain(`GitHub id-token for ${SUBJECT}`)
    expect(first.outputs['service-account-mrn']).toBe(h.sandbox.sts.issued[issued]!.mrn)

    h.sandbox.oidc.options.claims = {
      ...jobOf('acme/web', PINNED),
      event_name: 'pull_request',
      ref: 'refs/pull/7/merge'
    }
    const second = await h.run({ inputs: authOnly })
    expect(errorOf(second)).toBe('')
    expect(second.stdout).toContain(`GitHub id-token for ${SUBJECT}`)
    expect(h.sandbox.sts.issued.length).toBe(issued + 2)
    expect(second.exported.MONDOO_CONFIG_BASE64).toBe(h.sandbox.sts.issued[issued + 1]!.base64)
  })

  it.each([
    [
      'another workflow of the organisation',
      jobOf('acme/web', `${WORKFLOW.replace('cnspec', 'deploy')}@${PINNED_SHA}`)
    ],
    [
      "a repository's own workflow, not the reusable one",
      jobOf('acme/web', 'acme/web/.github/workflows/security.yml@refs/heads/main')
    ],
    ['another ref of the reusable workflow', jobOf('acme/web', `${WORKFLOW}@refs/heads/main`)],
    [
      'another organisation (a fork) calling the pinned workflow',
      jobOf('mallory/web', PINNED, '9999999')
    ]
  ])('refuses %s, and shows the subject it presented', async (_, claims) => {
    h.sandbox.oidc.options.claims = claims
    const issued = h.sandbox.sts.issued.length
    const result = await h.run({ inputs: authOnly })
    const error = errorOf(result)
    const presented = `repository_owner_id:${claims.repository_owner_id}:job_workflow_ref:${claims.job_workflow_ref}`
    expect(result.exitCode).toBe(1)
    expect(error).toMatch(/HTTP 403/)
    expect(error).toMatch(new RegExp(`sub\\s+${presented.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`))
    expect(error).toContain(`Subject equals "${presented}" (it must match exactly)`)
    expect(error).toContain(`the reusable workflow at one ref (${claims.job_workflow_ref})`)
    expect(error).toContain(ROLL_NEW_VERSION)
    expect(h.sandbox.sts.issued.length).toBe(issued)
    expect(result.exported).toEqual({})
  })
})

it('a per-repository subject that Mondoo refuses points at the organisation-wide trust', async () => {
  h.sandbox.oidc.options.subClaimKeys = undefined
  h.sandbox.oidc.options.claims = { sub: 'repo:acme/web:ref:refs/heads/main' }
  const result = await h.run({ inputs: authOnly })
  const error = errorOf(result)
  expect(result.exitCode).toBe(1)
  expect(error).toMatch(/HTTP 403/)
  expect(error).toContain('Subject equals "repo:acme/web:ref:refs/heads/main"')
  expect(error).toContain(
    `one provider can trust the whole organisation instead: ${ORGANISATION_TRUST}`
  )
})
