// `npm run sandbox`: the bundled action, end to end, against the local stand-ins, printed
// the way a GitHub job page shows it; the job summary and the log are also written as pages
// (.sandbox/summary.html, .sandbox/log.html) to open in a browser.
import { existsSync } from 'node:fs'
import { renderLog } from './job-log.js'
import { DIST, unexpectedInputs } from './runner.js'
import { findLeaks, issuedMaterial, maskedValues } from './leaks.js'
import { writePreviews } from './preview.js'
import { DEMO_REPOSITORY, startSandbox } from './start.js'

const bold = (text: string): string => (process.stdout.isTTY ? `\x1b[1m${text}\x1b[0m` : text)

/** A base64 value shown decoded, when it is JSON (the wif configuration). */
function decoded(value: string): string {
  try {
    return JSON.stringify(JSON.parse(Buffer.from(value, 'base64').toString('utf8')))
  } catch {
    return ''
  }
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
    // The runner warns about inputs action.yml does not declare, and passes them on anyway.
    const unexpected = unexpectedInputs(inputs)
    console.log(`\n${bold('Job log')} (as GitHub shows it: masked values appear as ***)\n`)
    if (unexpected) console.log(`Warning: ${unexpected}`)
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
    const pages = writePreviews(result, {
      name: 'cnspec keyless scan',
      uses: 'cnspec-keyless (this checkout)',
      inputs: { ...sandbox.inputs, ...inputs },
      warnings: unexpected ? [unexpected] : []
    })
    console.log(
      `\n${bold('Job summary')}: ${result.summary.split('\n')[0]?.replace(/<[^>]+>/g, '')}`
    )
    console.log(`  as GitHub shows it: ${pages.summary}`)
    console.log(`  the log as a page:  ${pages.log}`)
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
