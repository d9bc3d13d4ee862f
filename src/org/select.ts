import type { ListedRepository, Visibility } from './repository.js'

/** Which repositories of the organisation to scan; decided before any request. */
export interface Selection {
  /** Name patterns (`*` any run of characters, `?` one); empty means every name. */
  include: string[]
  exclude: string[]
  /** A repository must carry at least one of these topics; empty means no topic filter. */
  topics: string[]
  /** Empty means every visibility. */
  visibility: Visibility[]
  archived: boolean
  forks: boolean
  empty: boolean
}

export type SkipReason = 'archived' | 'fork' | 'empty' | 'visibility' | 'topic' | 'name'

export interface Selected {
  repositories: ListedRepository[]
  skipped: Record<SkipReason, number>
}

/** A glob over a repository name, or "owner/name" when the pattern has a slash. */
export function nameMatcher(pattern: string): (repo: ListedRepository) => boolean {
  const source = pattern
    .toLowerCase()
    .split('')
    .map(ch => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('')
  const regex = new RegExp(`^${source}$`)
  const full = pattern.includes('/')
  return repo => regex.test((full ? repo.fullName : repo.name).toLowerCase())
}

/** Why a repository is left out, or undefined when it is scanned. The first reason wins. */
export function skipReason(
  repo: ListedRepository,
  selection: Selection,
  include = selection.include.map(nameMatcher),
  exclude = selection.exclude.map(nameMatcher)
): SkipReason | undefined {
  if (repo.archived && !selection.archived) return 'archived'
  if (repo.fork && !selection.forks) return 'fork'
  if (repo.empty && !selection.empty) return 'empty'
  if (selection.visibility.length && !selection.visibility.includes(repo.visibility))
    return 'visibility'
  if (selection.topics.length && !selection.topics.some(t => repo.topics.includes(t)))
    return 'topic'
  if (include.length && !include.some(match => match(repo))) return 'name'
  if (exclude.some(match => match(repo))) return 'name'
  return undefined
}

/**
 * Applies the filters. The result is sorted by name and free of duplicates (a page that
 * shifts while it is read can repeat a repository), so a plan is the same for the same org.
 */
export function selectRepositories(
  repositories: ListedRepository[],
  selection: Selection
): Selected {
  const include = selection.include.map(nameMatcher)
  const exclude = selection.exclude.map(nameMatcher)
  const skipped: Record<SkipReason, number> = {
    archived: 0,
    fork: 0,
    empty: 0,
    visibility: 0,
    topic: 0,
    name: 0
  }
  const chosen = new Map<string, ListedRepository>()
  for (const repo of repositories) {
    const key = repo.fullName.toLowerCase()
    if (chosen.has(key)) continue
    const reason = skipReason(repo, selection, include, exclude)
    if (reason) skipped[reason]++
    else chosen.set(key, repo)
  }
  const sorted = [...chosen.values()].sort((a, b) =>
    a.fullName.toLowerCase() < b.fullName.toLowerCase() ? -1 : 1
  )
  return { repositories: sorted, skipped }
}
