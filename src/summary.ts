import * as core from '@actions/core'
import { escapeHtmlCell } from './text.js'

export interface RunReport {
  incognito: boolean
  spaceMrn?: string
  serviceAccountMrn?: string
  cnspecVersion?: string
  cnspecSource?: 'cache' | 'download'
  target?: string
  status?: string
  scan?: string
  scanExitCode?: number
  failure?: string
  timings: Array<[string, number]>
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`
}

/** The space ID is the last segment of the space MRN; it is an identifier, not a secret. */
export function spaceId(spaceMrn: string | undefined): string | undefined {
  return spaceMrn?.split('/').pop()
}

/** Writes the job summary. It is written on failure too: that is when people read it. */
export async function writeSummary(report: RunReport): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return
  const rows: Array<[string, string]> = [
    ['Result', report.failure ? `❌ ${report.failure}` : '✅ Success'],
    [
      'Mondoo space',
      report.incognito
        ? 'none (incognito: no id-token, nothing uploaded)'
        : (spaceId(report.spaceMrn) ?? 'not reached')
    ],
    ['Service account', report.serviceAccountMrn ?? '—'],
    [
      'cnspec',
      report.cnspecVersion
        ? `${report.cnspecVersion} (${report.cnspecSource === 'cache' ? 'tool cache' : 'downloaded, SHA-256 verified'})`
        : 'not installed'
    ],
    ['Target', report.target ?? '—'],
    ['cnspec status', report.status ?? 'not run'],
    [
      'cnspec scan',
      report.scan === undefined ? 'not run' : `${report.scan} (exit code ${report.scanExitCode})`
    ]
  ]
  const summary = core.summary
    .addHeading('cnspec keyless scan', 2)
    .addTable([
      [
        { data: 'What', header: true },
        { data: 'Result', header: true }
      ],
      ...rows.map(([k, v]) => [k, escapeHtmlCell(v)])
    ])
    .addHeading('Timings', 3)
    .addTable([
      [
        { data: 'Phase', header: true },
        { data: 'Duration', header: true }
      ],
      ...report.timings.map(([phase, ms]) => [phase, seconds(ms)])
    ])
  await summary.write()
}
