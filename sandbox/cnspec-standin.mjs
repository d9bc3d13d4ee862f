#!/usr/bin/env node
// A stand-in for the cnspec CLI, packed into the sandbox's release archives. It behaves like
// cnspec where the action can tell: `version`, `status` (exit 0, 1 or 78) and `scan`
// (a report in the requested format, --risk-threshold, exit codes, logs on stderr).
import { X509Certificate, createPrivateKey } from 'node:crypto'
import { appendFileSync, existsSync, writeFileSync } from 'node:fs'

const VERSION = '__VERSION__'
const argv = process.argv.slice(2)
const log = (level, text) => process.stderr.write(`${level} ${text}\n`)

if (process.env.CNSPEC_STANDIN_LOG) {
  // Lets tests see exactly which arguments arrived and whether a credential came with them.
  appendFileSync(
    process.env.CNSPEC_STANDIN_LOG,
    JSON.stringify({ argv, credential: Boolean(process.env.MONDOO_CONFIG_BASE64) }) + '\n'
  )
}

if (process.env.CNSPEC_STANDIN_ENV_LOG) {
  // Lets tests see which variables cnspec was handed (names only, never values).
  appendFileSync(
    process.env.CNSPEC_STANDIN_ENV_LOG,
    JSON.stringify({ command: argv[0], env: Object.keys(process.env).sort() }) + '\n'
  )
}

function flag(name, short) {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === name || (short && argv[i] === short)) return argv[i + 1]
    if (argv[i].startsWith(`${name}=`)) return argv[i].slice(name.length + 1)
  }
  return undefined
}

/** Reads MONDOO_CONFIG_BASE64 as cnspec does; exits 78 when it cannot be used. */
function loadCredential() {
  const raw = process.env.MONDOO_CONFIG_BASE64
  if (!raw) return undefined
  try {
    const config = JSON.parse(Buffer.from(raw, 'base64').toString('utf8'))
    if (!config.mrn || !config.api_endpoint) throw new Error('missing mrn or api_endpoint')
    if (config.private_key) {
      const cert = new X509Certificate(config.certificate)
      if (!cert.checkPrivateKey(createPrivateKey(config.private_key)))
        throw new Error('key does not match certificate')
    } else if (!config.token) throw new Error('no private_key or token')
    return config
  } catch (error) {
    log('FTL', `could not load configuration error="invalid credentials: ${error.message}"`)
    process.exit(78)
  }
}

async function status() {
  const config = loadCredential()
  process.stdout.write(`Client:\tcnspec ${VERSION}\n`)
  if (!config) {
    log('ERR', 'client is not registered')
    process.exit(1)
  }
  const res = await fetch(`${config.api_endpoint}/AgentManager/PingPong`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ mrn: config.mrn, certificate: config.certificate })
  }).catch(error => ({ ok: false, status: 0, statusText: error.message }))
  process.stdout.write(`API:\t${config.api_endpoint}\nService account:\t${config.mrn}\n`)
  if (!res.ok) {
    log(
      'ERR',
      res.status === 403 ? 'client is not registered' : `authentication failed status=${res.status}`
    )
    process.exit(1)
  }
  process.stdout.write('Status:\tSERVING\n→ client authenticated successfully\n')
}

const CHECKS = [
  {
    mrn: '//policy.api.mondoo.app/queries/no-secrets',
    title: 'Ensure no secrets are committed',
    score: 100,
    status: 'pass'
  },
  {
    mrn: '//policy.api.mondoo.app/queries/pin-actions',
    title: 'Ensure actions are pinned by commit SHA',
    score: 35,
    status: 'fail'
  },
  {
    mrn: '//policy.api.mondoo.app/queries/docker-user',
    title: 'Ensure containers do not run as root',
    score: 80,
    status: 'fail'
  },
  {
    mrn: '//policy.api.mondoo.app/queries/k8s-limits',
    title: 'Ensure workloads set resource limits',
    score: 0,
    status: 'skip'
  }
]

function render(format, asset, worst) {
  const scored = CHECKS.filter(c => c.status === 'pass' || c.status === 'fail')
  const assetMrn = `//assets.api.mondoo.app/spaces/sandbox/assets/${Buffer.from(asset).toString('hex').slice(0, 12)}`
  const base = format.split(',')[0]
  if (base === 'json' || base === 'json-v2' || base === 'json-v1') {
    const values = Object.fromEntries(
      CHECKS.map(c => [c.mrn, { score: c.score, status: c.status, riskScore: 100 - c.score }])
    )
    values[assetMrn] = { score: 100 - worst, status: 'fail', riskScore: worst }
    return (
      JSON.stringify({
        assets: { [assetMrn]: { mrn: assetMrn, name: asset, platformName: 'sandbox' } },
        scores: { [assetMrn]: { values } }
      }) + '\n'
    )
  }
  if (base === 'sarif') {
    return (
      JSON.stringify({
        version: '2.1.0',
        $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
        runs: [
          {
            tool: {
              driver: {
                name: 'cnspec',
                version: VERSION,
                rules: CHECKS.map(c => ({
                  id: c.mrn,
                  name: c.title,
                  properties: { severity: 100 - c.score }
                }))
              }
            },
            results: scored.map(c => ({
              ruleId: c.mrn,
              kind: c.status,
              level: c.status === 'fail' ? 'error' : 'none',
              message: { text: c.title }
            })),
            properties: {
              asset,
              score: 100 - worst,
              checksTotal: CHECKS.length,
              checksFailed: 2,
              checksPassed: 1,
              checksSkipped: 1
            }
          }
        ]
      }) + '\n'
    )
  }
  if (base === 'junit') {
    const cases = scored.map(
      c =>
        `  <testcase name="${c.title}" classname="${asset}">${c.status === 'fail' ? `<failure message="score ${c.score}"/>` : ''}</testcase>`
    )
    return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites><testsuite name="${asset}" tests="${scored.length}" failures="2">\n${cases.join('\n')}\n</testsuite></testsuites>\n`
  }
  if (base.startsWith('yaml') || base.startsWith('yml')) {
    return `assets:\n  - name: ${asset}\n    score: ${100 - worst}\nchecks:\n${CHECKS.map(c => `  - title: ${c.title}\n    status: ${c.status}\n    score: ${c.score}`).join('\n')}\n`
  }
  const lines = [
    `Asset: ${asset}`,
    '',
    ...CHECKS.map(
      c =>
        `${c.status === 'pass' ? '✓ Pass' : c.status === 'fail' ? '✕ Fail' : '» Skip'}: ${c.title.padEnd(44)} ${c.status === 'skip' ? '' : `score ${c.score}`}`
    )
  ]
  lines.push(
    '',
    `Worst risk: ${worst} (${worst >= 90 ? 'CRITICAL' : worst >= 70 ? 'HIGH' : worst >= 40 ? 'MEDIUM' : 'LOW'})`
  )
  return lines.join('\n') + '\n'
}

function scan() {
  const words = []
  for (const word of argv.slice(1)) {
    if (word.startsWith('-')) break
    words.push(word)
  }
  const target = words.length ? words : ['local']
  const output = flag('--output', '-o') ?? 'compact'
  const threshold = Number(flag('--risk-threshold') ?? '101')
  const incognito = argv.includes('--incognito')
  const config = incognito ? undefined : loadCredential()
  log('INF', `discover assets target=${JSON.stringify(target.join(' '))}`)
  // A path that does not exist is an asset error, as in cnspec: it logs and exits 1 without a report.
  const pathTargets = ['fs', 'k8s', 'terraform']
  if (pathTargets.includes(target[0]) && target.length > 1) {
    const path = target[target.length - 1]
    if (!existsSync(path)) {
      log('FTL', `failed to scan error="could not find path ${path}"`)
      process.exit(1)
    }
  }
  if (Number.isNaN(threshold)) {
    log('FTL', 'invalid argument for --risk-threshold')
    process.exit(1)
  }
  const worst = Math.max(...CHECKS.filter(c => c.status === 'fail').map(c => 100 - c.score))
  const report = render(output, target.join(' '), worst)
  const outputTarget = flag('--output-target')
  if (outputTarget) writeFileSync(outputTarget, report)
  else process.stdout.write(report)
  if (config) log('INF', `uploaded results to ${config.space_mrn}`)
  else log('INF', 'incognito mode: results were not uploaded to Mondoo')
  if (worst >= threshold) process.exit(1)
}

const command = argv[0]
if (command === 'version')
  process.stdout.write(`cnspec ${VERSION} (standin, 2026-08-19T10:00:00Z)\n`)
else if (command === 'status') await status()
else if (command === 'scan') scan()
else {
  log('FTL', `unknown command "${command ?? ''}"`)
  process.exit(1)
}
