// The Mondoo STS stand-in for .github/workflows/e2e.yml: it trusts GitHub's real issuer and
// verifies the job's real id-token against GitHub's published keys, so a run on GitHub
// proves the GitHub half of the keyless flow for real. Usage: tsx sandbox/e2e-sts.ts <env-file>
import { appendFileSync } from 'node:fs'
import { startMondooSts } from './mondoo-sts.js'
import { startReleases } from './releases.js'
import { SPACE_ID } from './start.js'

const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com'
const out = process.argv[2]
if (!out)
  throw new Error('usage: tsx sandbox/e2e-sts.ts <file to write STS_URL and RELEASES_URL to>')
const repository = process.env.GITHUB_REPOSITORY
if (!repository)
  throw new Error('GITHUB_REPOSITORY is not set: run this inside a GitHub Actions job')

// Both subject forms: classic (repo:owner/name:...) and immutable (repo:owner@id/name@id:...).
const [owner, name] = repository.split('/')
// SANDBOX_SUBJECT: the accepted `sub` values, one a line.
const subjects = process.env.SANDBOX_SUBJECT
  ? process.env.SANDBOX_SUBJECT.split(/\r?\n/)
      .map(line => line.trim())
      .filter(Boolean)
  : [`repo:${repository}:*`, `repo:${owner}@*`]
const sts = await startMondooSts(
  subjects.map(subject => ({ spaceId: SPACE_ID, issuer: GITHUB_ISSUER, subject }))
)
const releases = await startReleases()
appendFileSync(out, `STS_URL=${sts.url}\nRELEASES_URL=${releases.url}\n`)
console.log(
  `STS on ${sts.url} trusts ${GITHUB_ISSUER} for ${subjects.join(', ')} (repository ${name})`
)
console.log(`cnspec release stand-in on ${releases.url}`)
