// Failing results with a file and line become annotations on that file. GitHub shows at
// most 10 of each type per step, so the highest-risk ones go first and the rest are counted.
import type { AnnotationProperties } from '@actions/core'
import type { Finding, ScanReport } from './report-types.js'
import { byRisk, isFailure } from './findings.js'
import { where } from './render-log.js'
import { clip, logSafe } from '../text.js'

export const PER_TYPE = 10
/** Characters of a title or message in an annotation. */
const TEXT_MAX = 300

export type AnnotationType = 'error' | 'warning' | 'notice'

export interface Annotation {
  type: AnnotationType
  message: string
  properties: AnnotationProperties
}

export interface AnnotationPlan {
  shown: Annotation[]
  /** Located failures per type that did not fit. */
  hidden: Record<AnnotationType, number>
}

const TYPE: Record<Finding['level'], AnnotationType | undefined> = {
  error: 'error',
  warning: 'warning',
  note: 'notice',
  none: undefined
}

function annotation(f: Finding & { asset: string }, type: AnnotationType): Annotation {
  const rating = f.severity
    ? `${f.severity}${f.risk !== undefined ? ` (risk ${f.risk})` : ''}`
    : f.level
  const detail = f.message?.split('\n')[0]
  const location = f.location!
  return {
    type,
    // The job log shows the message alone, without the title or file: it names both itself, so
    // that one check failing at two places reads as two places, not as the same line twice.
    message: logSafe(
      clip(
        `${f.title} · ${rating} · ${f.asset} · ${where(location)}${detail ? ` · ${detail}` : ''}`,
        TEXT_MAX
      )
    ),
    properties: {
      title: logSafe(`cnspec: ${clip(f.title, TEXT_MAX)}`),
      file: location.path,
      startLine: location.startLine,
      endLine: location.endLine
    }
  }
}

/** Which annotations to emit: located failures inside the repository, highest risk first. */
export function planAnnotations(report: ScanReport): AnnotationPlan {
  const located = report.assets
    .flatMap(a =>
      a.findings
        .filter(f => isFailure(f) && f.location && !f.location.path.startsWith('/'))
        .map(f => ({ ...f, asset: a.name }))
    )
    .sort(byRisk)
  const shown: Annotation[] = []
  const hidden: Record<AnnotationType, number> = { error: 0, warning: 0, notice: 0 }
  const used: Record<AnnotationType, number> = { error: 0, warning: 0, notice: 0 }
  for (const f of located) {
    const type = TYPE[f.level] ?? 'notice'
    if (used[type] < PER_TYPE) {
      used[type]++
      shown.push(annotation(f, type))
    } else hidden[type]++
  }
  return { shown, hidden }
}
