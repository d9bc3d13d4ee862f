// How a GitHub job page shows an action's stdout: shared by both sandboxes.

/** Renders workflow commands as the job log does, masking what the action registered. */
export function renderLog(stdout: string): string {
  const masks: string[] = []
  const out: string[] = []
  let depth = 0
  // Between ::stop-commands::<token> and ::<token>:: the runner runs no command.
  let stopToken: string | undefined
  for (const raw of stdout.split('\n')) {
    if (stopToken !== undefined) {
      if (raw === `::${stopToken}::`) stopToken = undefined
      else out.push(`${depth ? '  ' : ''}${raw}`)
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
    if (command) {
      const [, name, props, text = ''] = command
      const unescape = (value: string) =>
        value
          .replace(/%0A/g, '\n')
          .replace(/%0D/g, '')
          .replace(/%3A/g, ':')
          .replace(/%2C/g, ',')
          .replace(/%25/g, '%')
      // An annotation: show where GitHub would attach it.
      const at = Object.fromEntries(
        (props ?? '').split(',').map(p => [p.split('=')[0], unescape(p.split('=')[1] ?? '')])
      )
      const where = at.file
        ? ` [${at.file}:${at.line}${at.endLine ? `-${at.endLine}` : ''}] ${at.title}:`
        : ''
      const message = `${where}${where ? ' ' : ''}${unescape(text)}`
      if (name === 'group') {
        out.push(`▼ ${message}`)
        depth = 1
      } else if (name === 'endgroup') depth = 0
      else if (name === 'error') out.push(`Error: ${message}`)
      else if (name === 'warning') out.push(`Warning: ${message}`)
      else if (name === 'notice') out.push(`Notice: ${message}`)
      else if (name === 'debug') continue
      else out.push(line)
      continue
    }
    out.push(`${depth ? '  ' : ''}${line}`)
  }
  return out.join('\n')
}
