import { spawn } from 'node:child_process'

export interface ProcessResult {
  exitCode: number
  /** The tail of stderr (the last 64 KiB): enough for the error lines, bounded for huge logs. */
  stderr: string
  timedOut: boolean
  /** Set when the program could not be started at all (ENOENT, EACCES). */
  startError?: string
}

const TAIL = 64 * 1024

/**
 * Runs a program without a shell, with the given environment, discarding stdout (reports go
 * to files) and keeping stderr's tail. Stops it after `timeoutMs`.
 */
export function runProcess(
  command: string,
  args: string[],
  options: { env: Record<string, string>; cwd?: string; timeoutMs: number }
): Promise<ProcessResult> {
  return new Promise(resolve => {
    let stderr = ''
    let timedOut = false
    // Its own process group on Linux and macOS, so a timeout also ends what it started
    // (cnspec runs each provider as a child process).
    const group = process.platform !== 'win32'
    const child = spawn(command, args, {
      env: options.env,
      cwd: options.cwd,
      stdio: ['ignore', 'ignore', 'pipe'],
      detached: group
    })
    child.stderr.setEncoding('utf8')
    child.stderr.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-TAIL)
    })
    const timer = setTimeout(() => {
      timedOut = true
      try {
        if (group && child.pid) process.kill(-child.pid, 'SIGKILL')
        else child.kill('SIGKILL')
      } catch {
        child.kill('SIGKILL')
      }
    }, options.timeoutMs)
    child.on('error', error => {
      clearTimeout(timer)
      resolve({ exitCode: -1, stderr, timedOut, startError: error.message })
    })
    child.on('close', code => {
      clearTimeout(timer)
      resolve({ exitCode: code ?? -1, stderr, timedOut })
    })
  })
}
