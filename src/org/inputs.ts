// Inputs of the organisation scan's companion actions (plan, scan-batch, summary). Every
// one is checked before any request, and all problems are reported at once, as the main
// action does.
import { ActionError, InputError } from '../errors.js'
import { check, parseBoolean, parseChoice, parseRiskThreshold, preview } from '../inputs.js'
import { MATRIX_LIMIT } from './batches.js'
import { VISIBILITIES, type Visibility } from './repository.js'
import type { Selection } from './select.js'

export type Getter = (name: string) => string
export { parseBoolean, parseChoice, parseRiskThreshold }

// GitHub logins: letters, digits and single hyphens, at most 39 characters.
const LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/
// Repository names: letters, digits, ".", "_", "-", at most 100 characters.
const REPOSITORY = /^[A-Za-z0-9._-]{1,100}$/
const PATTERN = /^[A-Za-z0-9._*?/-]{1,140}$/
const TOPIC = /^[a-z0-9][a-z0-9-]{0,49}$/

/** Runs each parser, collecting every InputError; throws one ActionError listing them all. */
export function collectInputs<T extends object>(parsers: {
  [K in keyof T]: () => T[K]
}): T {
  const problems: string[] = []
  const values = {} as T
  for (const key of Object.keys(parsers) as Array<keyof T>) {
    try {
      values[key] = parsers[key]()
    } catch (error) {
      if (error instanceof ActionError) problems.push(error.message)
      else throw error
    }
  }
  if (problems.length === 1) throw new ActionError(problems[0] as string)
  if (problems.length > 1)
    throw new ActionError(`${problems.length} inputs need fixing:\n- ${problems.join('\n- ')}`)
  return values
}

/** A comma- or newline-separated list; blanks dropped. */
export function parseList(name: string, raw: string): string[] {
  return check(name, raw, true)
    .split(/[,\n\r]+/)
    .map(item => item.trim())
    .filter(Boolean)
}

export function parseOrganisation(get: Getter): string {
  const value = check('organisation', get('organisation'))
  if (!value)
    throw new InputError('organisation', 'is required: the login of the GitHub organisation.')
  if (!LOGIN.test(value))
    throw new InputError(
      'organisation',
      `must be a GitHub organisation login (letters, digits and hyphens), not "${preview(value)}".`
    )
  return value
}

export function parseToken(get: Getter): string {
  const value = check('github-token', get('github-token'))
  if (!value)
    throw new InputError(
      'github-token',
      'is required: a token that can read the repositories, from actions/create-github-app-token ' +
        '(or a fine-grained personal access token with read-only access).'
    )
  return value
}

/** Repository names of one organisation; "owner/name" is accepted when owner is the organisation. */
export function parseRepositories(raw: string, organisation: string): string[] {
  const names = parseList('repositories', raw).map(item => {
    const [owner, name] = item.includes('/') ? item.split('/', 2) : [organisation, item]
    if (owner?.toLowerCase() !== organisation.toLowerCase() || !name || !REPOSITORY.test(name))
      throw new InputError(
        'repositories',
        `must list repository names of ${organisation} (comma or newline separated), not "${preview(item)}".`
      )
    return name
  })
  if (!names.length) throw new InputError('repositories', 'is required: the names to scan.')
  return [...new Set(names)]
}

export function parseCount(name: string, raw: string, fallback: number, max: number): number {
  const value = check(name, raw)
  if (value === '') return fallback
  if (!/^\d{1,6}$/.test(value) || Number(value) < 1 || Number(value) > max)
    throw new InputError(name, `must be a whole number from 1 to ${max}, not "${preview(value)}".`)
  return Number(value)
}

export function parseSelection(get: Getter): Selection {
  const patterns = (name: string) =>
    parseList(name, get(name)).map(pattern => {
      if (!PATTERN.test(pattern))
        throw new InputError(
          name,
          `holds "${preview(pattern)}": use repository names with * and ? wildcards, comma or newline separated.`
        )
      return pattern
    })
  return collectInputs<Selection>({
    include: () => patterns('include'),
    exclude: () => patterns('exclude'),
    topics: () =>
      parseList('topics', get('topics')).map(topic => {
        if (!TOPIC.test(topic.toLowerCase()))
          throw new InputError('topics', `holds "${preview(topic)}", which is not a GitHub topic.`)
        return topic.toLowerCase()
      }),
    visibility: () =>
      parseList('visibility', get('visibility')).map(v => {
        const value = v.toLowerCase()
        if (!VISIBILITIES.includes(value as Visibility))
          throw new InputError(
            'visibility',
            `must list ${VISIBILITIES.join(', ')} (or be empty for all), not "${preview(v)}".`
          )
        return value as Visibility
      }),
    archived: () => parseBoolean('include-archived', get('include-archived'), false),
    forks: () => parseBoolean('include-forks', get('include-forks'), false),
    empty: () => parseBoolean('include-empty', get('include-empty'), false)
  })
}

export function parseMaxJobs(get: Getter): number {
  return parseCount('max-jobs', get('max-jobs'), MATRIX_LIMIT, MATRIX_LIMIT)
}
