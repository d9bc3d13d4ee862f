// How a GitHub job page shows an action's stdout: shared by both sandboxes and the previews.

export interface LogLine {
  kind: 'line' | 'group' | 'error' | 'warning' | 'notice'
  text: string
  /** Inside a group (GitHub folds it). */
  grouped: boolean
  /** Where an annotation is attached, "[file:lines]", shown on the run's page. */
  at?: string
}

function unescape(value: string): string {
  return value
    .replace(/%0A/g, '\n')
    .replace(/%0D/g, '')
    .replace(/%3A/g, ':')
    .replace(/%2C/g, ',')
    .replace(/%25/g, '%')
}

/** The log's lines as the runner reads them: commands run, masked values as ***. */
export function logLines(stdout: string): LogLine[] {
  const masks: string[] = []
  const out: LogLine[] = []
  let grouped = false
  // Between ::stop-commands::<token> and ::<token>:: the runner runs no command.
  let stopToken: string | undefined
  const push = (kind: LogLine['kind'], text: string, at?: string) =>
    out.push({ kind, text, grouped, ...(at ? { at } : {}) })
  for (const raw of stdout.split('\n')) {
    if (stopToken !== undefined) {
      if (raw === `::${stopToken}::`) stopToken = undefined
      else push('line', raw)
      continue
    }
    if (raw.startsWith('::stop-commands::')) {
      stopToken = raw.slice('::stop-commands::'.length)
      continue
    }
    if (raw.startsWith('::add-mask::')) {
      masks.push(raw.slice(12).replace(/%0A/g, '\n').replace(/%0D/g, '\r').replace(/%25/g, '%'))
      continue
    }
    let line = raw
    for (const secret of masks
      .flatMap(m => [m, ...m.split('\n')])
      .filter(s => s.trim())
      .sort((a, b) => b.length - a.length)) {
      line = line.split(secret).join('***')
    }
    const command = /^::(\w+)(?: ([^:]*))?::(.*)$/.exec(line)
    if (!command) {
      push('line', line)
      continue
    }
    const [, name, props, text = ''] = command
    // An annotation: show where GitHub would attach it.
    const at = Object.fromEntries(
      (props ?? '').split(',').map(p => [p.split('=')[0], unescape(p.split('=')[1] ?? '')])
    )
    const where = at.file
      ? `[${at.file}:${at.line}${at.endLine ? `-${at.endLine}` : ''}]`
      : undefined
    const message = unescape(text)
    if (name === 'group') {
      grouped = false
      push('group', message)
      grouped = true
    } else if (name === 'endgroup') grouped = false
    else if (name === 'error' || name === 'warning' || name === 'notice') push(name, message, where)
    else if (name !== 'debug') push('line', line)
  }
  return out
}

const PREFIX: Record<LogLine['kind'], string> = {
  line: '',
  group: '▼ ',
  error: 'Error: ',
  warning: 'Warning: ',
  notice: 'Notice: '
}

/** Renders workflow commands as the job log does, masking what the action registered. */
export function renderLog(stdout: string): string {
  return logLines(stdout)
    .map(
      l =>
        `${l.grouped && l.kind === 'line' ? '  ' : ''}${PREFIX[l.kind]}${l.at ? ` ${l.at} ` : ''}${l.text}`
    )
    .join('\n')
}
