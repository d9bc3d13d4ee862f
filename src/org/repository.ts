// What the organisation scan needs to know about one repository, taken from the REST API's
// repository objects (GET /orgs/{org}/repos). Names are case-insensitive on GitHub.

export type Visibility = 'public' | 'private' | 'internal'
export const VISIBILITIES: readonly Visibility[] = ['public', 'private', 'internal']

export interface ListedRepository {
  /** "owner/name" */
  fullName: string
  name: string
  archived: boolean
  fork: boolean
  /** GitHub reports size 0 (KB) for a repository without commits. */
  empty: boolean
  topics: string[]
  visibility: Visibility
}

/** A repository object as the REST API returns it; only the fields read here. */
export interface ApiRepository {
  name: string
  full_name: string
  archived?: boolean
  disabled?: boolean
  fork?: boolean
  size?: number
  topics?: string[]
  visibility?: string
  private?: boolean
}

export function fromApi(repo: ApiRepository): ListedRepository {
  const visibility = VISIBILITIES.includes(repo.visibility as Visibility)
    ? (repo.visibility as Visibility)
    : repo.private
      ? 'private'
      : 'public'
  return {
    fullName: repo.full_name,
    name: repo.name,
    archived: Boolean(repo.archived || repo.disabled),
    fork: Boolean(repo.fork),
    empty: repo.size === 0,
    topics: (repo.topics ?? []).map(t => t.toLowerCase()),
    visibility
  }
}
