// `npm run sandbox`: the bundled action, end to end, against the local stand-ins, printed
// the way a GitHub job page shows it.
import { existsSync } from 'node:fs'
import { renderLog } from './job-log.js'
import { DIST } from './runner.js'
import { findLeaks, issuedMaterial, maskedValues } from './leaks.js'
import { startSandbox } from './start.js'

/** A small repository to scan: `--target="fs ."` or `--target="terraform ./infra"`. */
const DEMO_REPOSITORY = {
  'infra/main.tf': 'provider "aws" {}\n\nresource "aws_s3_bucket" "logs" {\n  bucket = "logs"\n}\n',
  'infra/modules/store/bucket.tf': 'resource "aws_s3_bucket" "store" {\n  bucket = "store"\n}\n',
  'k8s/deployment.yaml': 'kind: Deployment\nmetadata:\n  name: web\n',
  'k8s/broken.yaml': 'metadata: {}\n'
}

const bold = (text: string): string => (process.stdout.isTTY ? `\x1b[1m${text}\x1b[0m` : text)

/** A base64 value shown decoded, when it is JSON (the wif configuration). */
function decoded(value: string): string {
  try {
    return JSON.stringify(JSON.parse(Buffer.from(value, 'base64').toString('utf8')))
  } catch {
    return ''
  }
}

function summaryAsText(html: string): string {
  return html
    .replace(/<br>/g, '\n  ')
    .replace(/<h\d>(.*?)<\/h\d>/g, '\n## $1\n')
    .replace(/<tr>/g, '')
    .replace(/<\/tr>/g, '\n')
    .replace(/<t[hd]>(.*?)<\/t[hd]>/g, '| $1 ')
    .replace(/<[^>]+>/g, '')
    .replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)))
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .trim()
}

async function main(): Promise<void> {
  if (!existsSync(DIST)) throw new Error('dist/index.js is missing: run `npm run bundle` first')
  const sandbox = await startSandbox()
  try {
    const inputs: Record<string, string> = {}
    // --name=value, or --name value (as in `npm run sandbox -- --credential-mode wif`).
    const args = process.argv.slice(2)
    for (let i = 0; i < args.length; i++) {
      const [name, ...value] = (args[i] as string).replace(/^--/, '').split('=')
      const next = args[i + 1]
      if (!value.length && next !== undefined && !next.startsWith('--')) value.push(args[++i]!)
      if (name) inputs[name] = value.join('=')
    }
    console.log(bold('Sandbox on loopback'))
    console.log(`  GitHub OIDC issuer   ${sandbox.oidc.issuer}`)
    console.log(`  Mondoo STS           ${sandbox.sts.url}`)
    console.log(`  cnspec releases      ${sandbox.releases.url}`)
    console.log(`  inputs               ${JSON.stringify({ ...sandbox.inputs, ...inputs })}`)
    const result = await sandbox.run({ inputs, workspaceFiles: DEMO_REPOSITORY })
    console.log(`\n${bold('Job log')} (as GitHub shows it: masked values appear as ***)\n`)
    console.log(renderLog(result.stdout))
    if (result.stderr.trim()) console.log(result.stderr)
    console.log(`\n${bold('Step outputs')}`)
    for (const [name, value] of Object.entries(result.outputs)) console.log(`  ${name} = ${value}`)
    console.log(`\n${bold('Exported to later steps (GITHUB_ENV)')}`)
    const masked = new Set(maskedValues(result))
    for (const [name, value] of Object.entries(result.exported))
      console.log(
        `  ${name} = ${masked.has(value) ? '*** (masked)' : `${value}\n    (not secret) ${decoded(value)}`}`
      )
    if (!Object.keys(result.exported).length) console.log('  (nothing)')
    console.log(`\n${bold('Job summary')}\n${summaryAsText(result.summary)}`)
    // In wif mode nothing the STS issued may show anywhere: not even the certificate, and
    // not in the export either (it must hold only the configuration).
    const wif = Boolean(inputs['wif-config']) || inputs['credential-mode'] === 'wif'
    const secrets = wif ? [...sandbox.secrets(), ...issuedMaterial(sandbox.sts)] : sandbox.secrets()
    const leaks = findLeaks(result, secrets, { withExport: wif })
    const byCnspec = sandbox.sts.received.filter(r =>
      String(r.headers['user-agent']).startsWith('cnspec/')
    ).length
    console.log(
      `\n${bold('Requests')}: Mondoo STS exchanges ${sandbox.sts.exchanges} (by cnspec ${byCnspec}, by the action ${sandbox.sts.exchanges - byCnspec}); GitHub id-token requests ${sandbox.oidc.requests}`
    )
    console.log(
      `\n${bold('Secret check')}: ${leaks.length ? `LEAKED\n  ${leaks.join('\n  ')}` : `none of the ${secrets.length} secrets handed out appears in the log, outputs, summary or files outside RUNNER_TEMP${wif ? ', nor in GITHUB_ENV (certificates included)' : ''}`}`
    )
    console.log(`\nThe action exited with code ${result.exitCode}.`)
    process.exitCode = result.exitCode === 0 && !leaks.length ? 0 : 1
  } finally {
    await sandbox.close()
  }
}

await main()
