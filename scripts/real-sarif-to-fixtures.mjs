#!/usr/bin/env node
// Turns the SARIF the real cnspec wrote in the `real-cnspec` job of .github/workflows/e2e.yml
// into test fixtures, so the sandbox's stand-in can be checked against real output:
//
//   gh run download <run-id> --pattern 'real-sarif-*' --dir /tmp/real-sarif
//   node scripts/real-sarif-to-fixtures.mjs /tmp/real-sarif [__tests__/fixtures/real]
//
// The artifact holds, per runner and target, cnspec's own report (cnspec.sarif), the action's
// code-scanning report (code-scanning.sarif) and meta.json (runner, target, workspace, step
// outcome and outputs). Each cnspec.sarif becomes <out>/<cnspec version>/<runner>-<target>.sarif.json
// with the runner's workspace path removed (paths become repository-relative, "/" separated),
// pretty-printed so that a diff between cnspec versions reads well. Prints what it wrote.
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import path from 'node:path'

const [input, output = path.join('__tests__', 'fixtures', 'real')] = process.argv.slice(2)
if (!input || !existsSync(input)) {
  console.error(
    'usage: node scripts/real-sarif-to-fixtures.mjs <downloaded artifact dir> [out dir]'
  )
  process.exit(2)
}

/** Every directory below `dir` that holds a meta.json written by the job. */
function targets(dir) {
  const found = []
  for (const entry of readdirSync(dir)) {
    const full = path.join(dir, entry)
    if (statSync(full).isDirectory()) found.push(...targets(full))
    else if (entry === 'meta.json') found.push(dir)
  }
  return found
}

/** The runner's workspace as cnspec may have written it: a path (either slash) or a file URI. */
function workspaceForms(workspace) {
  if (!workspace) return []
  const slashed = workspace.replace(/\\/g, '/')
  const uri = `file://${slashed.startsWith('/') ? '' : '/'}${encodeURI(slashed)}`
  return [workspace, slashed, uri]
    .filter((form, i, all) => all.indexOf(form) === i)
    .sort((a, b) => b.length - a.length)
}

function relativise(value, forms) {
  if (typeof value === 'string') {
    for (const form of forms)
      if (value.startsWith(form))
        return value.slice(form.length).replace(/\\/g, '/').replace(/^\//, '')
    return value
  }
  if (Array.isArray(value)) return value.map(v => relativise(v, forms))
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, relativise(v, forms)]))
  return value
}

let written = 0
for (const dir of targets(input)) {
  const meta = JSON.parse(readFileSync(path.join(dir, 'meta.json'), 'utf8'))
  const report = path.join(dir, 'cnspec.sarif')
  if (!existsSync(report)) {
    console.error(`${dir}: no cnspec.sarif (the scan wrote no report), skipped`)
    continue
  }
  const version = meta.outputs?.['cnspec-version'] || 'unknown'
  const sarif = relativise(
    JSON.parse(readFileSync(report, 'utf8')),
    workspaceForms(meta.workspace ?? '')
  )
  const to = path.join(
    output,
    version,
    `${String(meta.runner).toLowerCase()}-${meta.target}.sarif.json`
  )
  mkdirSync(path.dirname(to), { recursive: true })
  writeFileSync(to, `${JSON.stringify(sarif, null, 2)}\n`)
  console.log(`${to} (${meta.runner} ${meta.target}, cnspec ${version}, step ${meta.outcome})`)
  written++
}
if (!written) {
  console.error(`no cnspec.sarif with a meta.json found under ${input}`)
  process.exit(1)
}
