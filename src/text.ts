// Text that comes from outside the action (an STS answer, JWT claims, cnspec's output and
// report, archive member names, input words) is untrusted: the runner would execute a line
// that starts with "::" as a workflow command, and Markdown or HTML in the job summary would
// render. Everything such text passes through on its way out goes through here.

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b[@-_]|\u009b[0-?]*[ -/]*[@-~]/g
// C0 and C1 controls, DEL, and the Unicode line and paragraph separators.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g

/** Shows a control character as a visible escape, e.g. "\n" or "\u001b". */
function visible(ch: string): string {
  if (ch === '\n') return '\\n'
  if (ch === '\r') return '\\r'
  if (ch === '\t') return ' '
  return `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`
}

// The runner's legacy command syntax, "##[name]…", is obeyed anywhere in a line; a zero-width
// space between the two "#" keeps the text as it reads and the runner from matching it.
const LEGACY_COMMAND = /##\[/g

/**
 * One inert log line: no ANSI sequences, no control characters (shown as escapes), no
 * leading "::" and no "##[" anywhere, the two forms the runner reads as a command.
 */
export function logSafe(text: string): string {
  const flat = text.replace(ANSI, '').replace(CONTROL, visible).replace(LEGACY_COMMAND, '#\u200b#[')
  return /^\s*::/.test(flat) ? flat.replace('::', ': :') : flat
}

/** Several lines of untrusted text, each made inert; line breaks are kept. */
export function logSafeLines(text: string): string {
  return text
    .replace(/\r\n/g, '\n')
    .split('\n')
    .map(line => logSafe(line))
    .join('\n')
}

/**
 * A command line as one inert log line: each word JSON-quoted, so a word holding a space,
 * a quote or a line break reads as exactly the one argument the program received.
 */
export function logSafeArgv(argv: readonly string[]): string {
  return logSafe(argv.map(word => JSON.stringify(word)).join(' '))
}

/**
 * Cuts a stream of untrusted output into lines as it arrives, and hands each one on made
 * inert. A line only becomes a line at "\n": a lone CR inside it is shown, never obeyed.
 */
export function lineWriter(write: (line: string) => void): {
  push(chunk: string): void
  end(): void
} {
  let pending = ''
  return {
    push(chunk) {
      const lines = (pending + chunk).split('\n')
      pending = lines.pop() ?? ''
      for (const line of lines) write(logSafe(line.replace(/\r$/, '')))
    },
    end() {
      if (pending) write(logSafe(pending.replace(/\r$/, '')))
      pending = ''
    }
  }
}

/**
 * Untrusted text cut to `max` characters, with "…" where it was cut: a policy title or a
 * message can be any length, and neither the log nor the job summary should carry it whole.
 */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text
  // Never cut a surrogate pair in half.
  const end = /[\ud800-\udbff]/.test(text[max - 2] ?? '') ? max - 2 : max - 1
  return `${text.slice(0, end)}…`
}

/** Escapes text for HTML (the job summary's tables are HTML). */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;')
}

/** Untrusted text for one HTML table cell: one line, nothing that renders or runs. */
export function escapeHtmlCell(text: string): string {
  return escapeHtml(logSafe(text))
}

/**
 * Untrusted text for a Markdown line or table cell: one line, HTML escaped, and the Markdown
 * characters that could start a link, image, emphasis, code or a table column shown literally.
 */
export function escapeMarkdown(text: string): string {
  // The entities escapeHtml just wrote (such as &#39;) are kept whole: their "#" is not Markdown.
  return escapeHtml(logSafe(text)).replace(/&#?\w+;|[\\`*_{}[\]()#+\-!|~]/g, match =>
    match.length > 1 ? match : `&#${match.charCodeAt(0)};`
  )
}
