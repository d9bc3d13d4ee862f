// Local previews of what GitHub shows for a step: the job summary as a page styled like
// GitHub's (the Markdown the action wrote, rendered as GitHub-flavoured Markdown, with
// github-markdown-css), and the log as GitHub's log view (groups folded, annotations marked).
// A preview, not GitHub's own CSS.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { marked } from 'marked'
import { logLines } from './job-log.js'
import { ROOT, type RunResult } from './runner.js'

/** Where the sandboxes keep their pages (git ignores it): they outlive the run's temp folders. */
export const PREVIEWS = join(ROOT, '.sandbox')

const MARKDOWN_CSS = readFileSync(
  createRequire(import.meta.url).resolve('github-markdown-css/github-markdown-light.css'),
  'utf8'
)

const html = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')

function page(title: string, style: string, body: string): string {
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<title>${html(title)}</title>`,
    `<style>\n${style}\n</style>`,
    '</head>',
    `<body>\n${body}\n</body>`,
    '</html>',
    ''
  ].join('\n')
}

const SUMMARY_FRAME = `
body { margin: 0; padding: 24px; background: #f6f8fa; }
.job-summary { max-width: 960px; margin: 0 auto; background: #fff; border: 1px solid #d0d7de; border-radius: 6px; }
.job-summary > header { padding: 16px 24px; border-bottom: 1px solid #d0d7de; font: 600 14px/1.5 -apple-system, BlinkMacSystemFont, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif; color: #1f2328; }
.job-summary > .markdown-body { padding: 24px; }
`

/** The job summary of one step, as the run's summary page shows it under the job's name. */
export function summaryPage(markdown: string, job: string): string {
  const body = marked.parse(markdown, { gfm: true, async: false })
  return page(
    `${job} summary`,
    `${MARKDOWN_CSS}\n${SUMMARY_FRAME}`,
    `<section class="job-summary">\n<header>${html(job)} summary</header>\n<article class="markdown-body">\n${body}</article>\n</section>`
  )
}

const LOG_STYLE = `
body { margin: 0; padding: 16px; background: #010409; font: 12px/20px ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, "Liberation Mono", "DejaVu Sans Mono", monospace; color: #f0f6fc; }
.log { max-width: 1100px; margin: 0 auto; background: #0d1117; border: 1px solid #3d444d; border-radius: 6px; padding: 8px 0; }
.step { padding: 4px 16px 8px; font: 600 14px/24px -apple-system, BlinkMacSystemFont, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif; }
.line { display: flex; white-space: pre-wrap; overflow-wrap: anywhere; padding: 0 16px 0 0; }
.line .n { flex: 0 0 48px; text-align: right; padding-right: 16px; color: #6e7681; user-select: none; }
.line .t { flex: 1; }
.group .t::before { content: "▶ "; color: #9198a1; }
.group .t { font-weight: 600; }
.command .t, .with .t { color: #4493f8; }
.error { background: rgba(248, 81, 73, 0.15); }
.error .t .label { color: #f85149; font-weight: 600; }
.warning { background: rgba(210, 153, 34, 0.15); }
.warning .t .label { color: #d29922; font-weight: 600; }
.notice .t .label { color: #4493f8; font-weight: 600; }
`

const LABEL: Record<string, string> = { error: 'Error', warning: 'Warning', notice: 'Notice' }

/**
 * The step's log as GitHub's log view shows it: "Run <uses>" with its inputs first, groups
 * folded (their lines hidden, as GitHub shows them until clicked), annotations marked.
 */
export function logPage(stdout: string, step: LogStep): string {
  const rows: string[] = []
  const row = (kind: string, text: string) =>
    rows.push(
      `<div class="line ${kind}"><span class="n">${rows.length + 1}</span><span class="t">${text}</span></div>`
    )
  row('with', html(`Run ${step.uses}`))
  row('with', '  with:')
  for (const [name, value] of Object.entries(step.inputs))
    row('with', html(`    ${name}: ${value}`))
  for (const warning of step.warnings ?? [])
    row('warning', `<span class="label">Warning:</span> ${html(warning)}`)
  for (const line of logLines(stdout.replace(/\n$/, ''))) {
    if (line.grouped) continue
    if (line.kind === 'group') row('group', html(line.text))
    else if (line.kind === 'line') row('', html(line.text))
    else row(line.kind, `<span class="label">${LABEL[line.kind]}:</span> ${html(line.text)}`)
  }
  return page(
    `${step.name} log`,
    LOG_STYLE,
    `<main class="log">\n<div class="step">▼ ${html(step.name)}</div>\n${rows.join('\n')}\n</main>`
  )
}

export interface LogStep {
  name: string
  uses: string
  inputs: Record<string, string>
  /** The runner's own warnings, shown before the action's log. */
  warnings?: string[]
}

/** Writes a step's summary and log pages into .sandbox/ and returns their paths. */
export function writePreviews(
  result: RunResult,
  step: LogStep,
  prefix = ''
): { summary: string; log: string } {
  mkdirSync(PREVIEWS, { recursive: true })
  const summary = join(PREVIEWS, `${prefix}summary.html`)
  const log = join(PREVIEWS, `${prefix}log.html`)
  writeFileSync(summary, summaryPage(result.summary, step.name))
  writeFileSync(log, logPage(result.stdout, step))
  return { summary, log }
}
