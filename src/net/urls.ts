import { isIP } from 'node:net'

/** Hosts for which plain http is allowed: the action's own machine, nothing else. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase()
  if (host === 'localhost') return true
  if (isIP(host) === 4) return host.startsWith('127.')
  if (isIP(host) === 6) return host === '::1'
  return false
}

/**
 * Checks the rule every URL of ours follows: https, or http only to a loopback address;
 * no user info, query or fragment. Returns the problem in words, or null when the URL is fine.
 */
export function urlProblem(url: URL): string | null {
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return `uses "${url.protocol}", but only https:// is allowed (http:// only to a loopback address)`
  }
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    return 'uses http:// to a host that is not a loopback address; use https://'
  }
  if (url.username || url.password) {
    return 'must not carry a user name or password; credentials never go in URLs'
  }
  if (url.search || url.href.includes('?')) return 'must not have a query string (?...)'
  if (url.hash || url.href.includes('#')) return 'must not have a fragment (#...)'
  return null
}

/** The URL text without a trailing slash, so paths can be appended with "/". */
export function baseUrl(url: URL): string {
  return url.href.replace(/\/+$/, '')
}

/** A URL text with any "user:password@" replaced, for messages: inputs are shown, passwords never. */
export function withoutUserinfo(text: string): string {
  return text.replace(/^([a-z][a-z0-9+.-]*:\/*)[^/?#]*@/i, '$1***@')
}
