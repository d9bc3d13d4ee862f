import { spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parse } from 'yaml'

export const ROOT = fileURLToPath(new URL('..', import.meta.url))
export const DIST = join(ROOT, 'dist', 'index.js')
/** Test-only timing (shorter backoff and timeouts), preloaded into the action by tests only. */
export const TEST_TIMING_PRELOAD = join(ROOT, 'sandbox', 'test-timing.mjs')

/** An action of this repository, as its action.yml declares it. */
function actionYml(actionDir: string): {
  inputs: Record<string, { default?: string }>
  runs: { main: string }
} {
  return parse(readFileSync(join(ROOT, actionDir, 'action.yml'), 'utf8'))
}

/** The defaults the runner fills in from action.yml for inputs a workflow leaves out. */
export function actionDefaults(actionDir = '.'): Record<string, string> {
  const defaults: Record<string, string> = {}
  for (const [name, input] of Object.entries(actionYml(actionDir).inputs))
    if (input.default !== undefined) defaults[name] = String(input.default)
  return defaults
}

/**
 * The runner's warning for inputs that action.yml does not declare, in its words; undefined
 * when every input is declared. The runner passes such inputs on all the same.
 */
export function unexpectedInputs(
  inputs: Record<string, string>,
  actionDir = '.'
): string | undefined {
  const declared = Object.keys(actionYml(actionDir).inputs)
  const known = new Set(declared.map(name => name.toLowerCase()))
  const unexpected = Object.keys(inputs).filter(name => !known.has(name.toLowerCase()))
  if (!unexpected.length) return undefined
  const list = (names: string[]) => names.map(name => `'${name}'`).join(', ')
  return `Unexpected input(s) ${list(unexpected)}, valid inputs are [${list(declared)}]`
}

/** The bundled script an action of this repository runs (its runs.main). */
export function mainOf(actionDir: string): string {
  return join(ROOT, actionDir, actionYml(actionDir).runs.main)
}

export interface RunnerDirs {
  root: string
  temp: string
  toolCache: string
  workspace: string
  home: string
  files: { env: string; output: string; summary: string; path: string }
}

export interface RunOptions {
  inputs?: Record<string, string>
  /** Extra environment; a value of undefined removes a variable. */
  env?: Record<string, string | undefined>
  /** A tool cache shared between runs (one self-hosted runner), instead of a fresh one. */
  toolCache?: string
  timeoutMs?: number
  onSpawn?: (child: ChildProcess) => void
  /** Files of the checked-out repository, by path relative to GITHUB_WORKSPACE. */
  workspaceFiles?: Record<string, string>
  /** Another action of this repository (e.g. "org/plan"): its action.yml and runs.main. */
  action?: string
  /** Runner directories shared with an earlier step of the same job. */
  dirs?: RunnerDirs
  /** Run the action as the runner does, without the test-timing preload. */
  production?: boolean
}

export interface RunResult {
  exitCode: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  outputs: Record<string, string>
  exported: Record<string, string>
  summary: string
  addedPath: string[]
  dirs: RunnerDirs
}

/** Reads GITHUB_OUTPUT / GITHUB_ENV: `name<<delimiter` blocks, as @actions/core writes them. */
export function parseCommandFile(text: string): Record<string, string> {
  const values: Record<string, string> = {}
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const heredoc = /^([^=<]+)<<(.+)$/.exec(lines[i] as string)
    if (heredoc) {
      const end = lines.indexOf(heredoc[2] as string, i + 1)
      values[heredoc[1] as string] = lines.slice(i + 1, end).join('\n')
      i = end
    } else if ((lines[i] as string).includes('=')) {
      const [name, ...rest] = (lines[i] as string).split('=')
      values[name as string] = rest.join('=')
    }
  }
  return values
}

const created = new Set<string>()

/** A fresh directory under the system temp dir, removed by removeTempDirs(). */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`))
  created.add(dir)
  return dir
}

/** Removes every directory tempDir() made in this process; the sandbox calls it on close. */
export function removeTempDirs(): void {
  for (const dir of created) rmSync(dir, { recursive: true, force: true })
  created.clear()
}

export function makeRunnerDirs(toolCache?: string): RunnerDirs {
  const root = tempDir('cnspec-runner')
  const dirs: RunnerDirs = {
    root,
    temp: join(root, 'temp'),
    toolCache: toolCache ?? join(root, 'tool-cache'),
    workspace: join(root, 'workspace'),
    home: join(root, 'home'),
    files: {
      env: join(root, 'files', 'env'),
      output: join(root, 'files', 'output'),
      summary: join(root, 'files', 'summary.md'),
      path: join(root, 'files', 'path')
    }
  }
  for (const dir of [dirs.temp, dirs.toolCache, dirs.workspace, dirs.home, join(root, 'files')])
    mkdirSync(dir, { recursive: true })
  for (const file of Object.values(dirs.files)) writeFileSync(file, '')
  return dirs
}

/** What the runner gives a step: its folders, its command files and the INPUT_* variables. */
export function runnerEnv(
  dirs: RunnerDirs,
  inputs: Record<string, string>
): Record<string, string> {
  const env: Record<string, string> = {
    RUNNER_OS: 'Linux',
    RUNNER_TEMP: dirs.temp,
    RUNNER_TOOL_CACHE: dirs.toolCache,
    GITHUB_WORKSPACE: dirs.workspace,
    GITHUB_ENV: dirs.files.env,
    GITHUB_OUTPUT: dirs.files.output,
    GITHUB_STEP_SUMMARY: dirs.files.summary,
    GITHUB_PATH: dirs.files.path
  }
  for (const [name, value] of Object.entries(inputs))
    env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value
  return env
}

/**
 * Runs the bundled action as the GitHub runner does: a node process with INPUT_* (defaults
 * from action.yml), the runner's command files and directories, and nothing else of ours.
 */
export function runAction(options: RunOptions = {}): Promise<RunResult> {
  const dirs = options.dirs ?? makeRunnerDirs(options.toolCache)
  for (const [path, content] of Object.entries(options.workspaceFiles ?? {})) {
    mkdirSync(dirname(join(dirs.workspace, path)), { recursive: true })
    writeFileSync(join(dirs.workspace, path), content)
  }
  const inputs = { ...actionDefaults(options.action), ...options.inputs }
  const script = options.action ? mainOf(options.action) : DIST
  // Each step of a job gets fresh command files, as on a real runner.
  if (options.dirs) for (const file of Object.values(dirs.files)) writeFileSync(file, '')
  const env: Record<string, string | undefined> = {
    PATH: process.env.PATH,
    HOME: dirs.home,
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    ...runnerEnv(dirs, inputs)
  }
  Object.assign(env, options.env)
  for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key]
  return new Promise((resolve, reject) => {
    const preload = options.production ? [] : ['--import', pathToFileURL(TEST_TIMING_PRELOAD).href]
    const child = spawn(process.execPath, [...preload, script], {
      cwd: dirs.workspace,
      env: env as NodeJS.ProcessEnv
    })
    let stdout = ''
    let stderr = ''
    // Decoded as a stream: a character split between two chunks ('■' is three bytes) stays whole.
    child.stdout.setEncoding('utf8')
    child.stderr.setEncoding('utf8')
    child.stdout.on('data', chunk => (stdout += chunk))
    child.stderr.on('data', chunk => (stderr += chunk))
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60000)
    options.onSpawn?.(child)
    child.on('error', reject)
    child.on('close', (exitCode, signal) => {
      clearTimeout(timer)
      resolve({
        exitCode,
        signal,
        stdout,
        stderr,
        outputs: parseCommandFile(readFileSync(dirs.files.output, 'utf8')),
        exported: parseCommandFile(readFileSync(dirs.files.env, 'utf8')),
        summary: readFileSync(dirs.files.summary, 'utf8'),
        addedPath: readFileSync(dirs.files.path, 'utf8').split('\n').filter(Boolean),
        dirs
      })
    })
  })
}
