// `npm run sandbox`: the bundled action, end to end, against the local stand-ins, printed
// the way a GitHub job page shows it.
import { existsSync } from 'node:fs'
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

/** Renders workflow commands as the job log does, masking what the action registered. */
function renderLog(stdout: string): string {
  const masks: string[] = []
  const out: string[] = []
  let depth = 0
  // Between ::stop-commands::<token> and ::<token>:: the runner runs no command.
  let stopToken: string | undefined
  for (const raw of stdout.split('\n')) {
    if (stopToken !== undefined) {
      if (raw === `::${stopToken}::`) stopToken = undefined
      else out.push(`${depth ? '  ' : ''}${raw}`)
      continue
    }
    if (raw.startsWith('::stop-commands::')) {
      stopToken = raw.slice('::stop-commands::'.length)
      continue
    }
    if (raw.startsWith('::add-mask::')) {
      masks.push(raw.slice(12).replace(/%0A/g, '\n').replace(/%0D/g, '\r').replace(/%25/g, '%'))
      continue
    }
    let line = raw
    for (const secret of masks
      .flatMap(m => [m, ...m.split('\n')])
      .filter(s => s.trim())
      .sort((a, b) => b.length - a.length)) {
      line = line.split(secret).join('***')
    }
    const command = /^::(\w+)(?: ([^:]*))?::(.*)$/.exec(line)
    if (command) {
      const [, name, props, text = ''] = command
      const unescape = (value: string) =>
        value
          .replace(/%0A/g, '\n')
          .replace(/%0D/g, '')
          .replace(/%3A/g, ':')
          .replace(/%2C/g, ',')
          .replace(/%25/g, '%')
      // An annotation: show where GitHub would attach it.
      const at = Object.fromEntries(
        (props ?? '').split(',').map(p => [p.split('=')[0], unescape(p.split('=')[1] ?? '')])
      )
      const where = at.file
        ? ` [${at.file}:${at.line}${at.endLine ? `-${at.endLine}` : ''}] ${at.title}:`
        : ''
      const message = `${where}${where ? ' ' : ''}${unescape(text)}`
      if (name === 'group') {
        out.push(`▼ ${message}`)
        depth = 1
      } else if (name === 'endgroup') depth = 0
      else if (name === 'error') out.push(`Error: ${message}`)
      else if (name === 'warning') out.push(`Warning: ${message}`)
      else if (name === 'notice') out.push(`Notice: ${message}`)
      else if (name === 'debug') continue
      else out.push(line)
      continue
    }
    out.push(`${depth ? '  ' : ''}${line}`)
  }
  return out.join('\n')
}

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
