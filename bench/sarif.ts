// The cost of understanding a large scan: reading a 10,000-result SARIF report from cnspec
// (the sandbox's stand-in, as 13.33+ writes it) and rendering the log, annotations, summary
// and code-scanning file from it, as a ratio to JSON.parse of the same file.
import { spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { STANDIN_PATH } from '../sandbox/releases.js'
import { removeTempDirs, tempDir } from '../sandbox/runner.js'
import { planAnnotations } from '../src/scan/annotations.js'
import { codeScanningSarif } from '../src/scan/code-scanning.js'
import { judge } from '../src/scan/judge.js'
import { readReport } from '../src/scan/read-report.js'
import { renderLog } from '../src/scan/render-log.js'
import { renderFindings } from '../src/summary.js'

const RESULTS = 10000

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] as number
}

/** A 10,000-failure SARIF report, written by the stand-in exactly as the action receives it. */
function largeReport(): { text: string; workspace: string } {
  const dir = tempDir('cnspec-bench-sarif')
  // A runner that has scanned before: the os provider is installed, nothing is downloaded.
  const providers = join(dir, 'providers')
  mkdirSync(join(providers, 'os'), { recursive: true })
  writeFileSync(join(providers, 'os', 'os.json'), '{"name":"os","version":"13.0.0"}')
  const script = join(dir, 'cnspec.mjs')
  writeFileSync(script, readFileSync(STANDIN_PATH, 'utf8').replace('__VERSION__', '13.35.2'))
  const file = join(dir, 'report.sarif')
  const run = spawnSync(
    process.execPath,
    [script, 'scan', 'local', '-o', 'sarif', '--output-target', file, '--incognito'],
    {
      env: {
        PATH: process.env.PATH,
        HOME: dir,
        PROVIDERS_PATH: providers,
        MONDOO_AUTO_UPDATE_ENGINE: 'false',
        CNSPEC_STANDIN_EXTRA_FAILURES: String(RESULTS)
      },
      encoding: 'utf8'
    }
  )
  if (run.status !== 0) throw new Error(`the stand-in failed: ${run.stderr}`)
  return { text: readFileSync(file, 'utf8'), workspace: dir }
}

export function benchSarif(rounds: number): Array<[string, string]> {
  const { text, workspace } = largeReport()
  const parse: number[] = []
  const full: number[] = []
  for (let i = 0; i < rounds; i++) {
    let start = performance.now()
    JSON.parse(text)
    parse.push(performance.now() - start)

    start = performance.now()
    const sarif = JSON.parse(text)
    const report = readReport(sarif, { workspace })
    const verdict = judge({ report, exitCode: 0, stderr: '' })
    renderLog(report, 'compact')
    planAnnotations(report)
    codeScanningSarif(sarif, { workspace }, '13.35.2')
    renderFindings({ exitCode: 0, verdict, report, fellBackToIncognito: false })
    full.push(performance.now() - start)
  }
  removeTempDirs()
  const results = (JSON.parse(text).runs as Array<{ results: unknown[] }>).reduce(
    (n, run) => n + run.results.length,
    0
  )
  return [
    [`SARIF report: ${results} results, ${(text.length / 1024 / 1024).toFixed(1)} MiB`, ''],
    ['JSON.parse alone, ms', median(parse).toFixed(0)],
    ['parse, read, judge, render (log, annotations, summary, SARIF), ms', median(full).toFixed(0)],
    [
      'read and render / JSON.parse (1.0 = free beyond parsing)',
      (median(full) / median(parse)).toFixed(1)
    ]
  ]
}
