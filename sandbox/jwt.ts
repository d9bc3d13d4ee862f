import { createPublicKey, sign, verify, type JsonWebKey, type KeyObject } from 'node:crypto'

export type JwtClaims = Record<string, unknown>

const b64url = (data: string | Buffer): string => Buffer.from(data).toString('base64url')

/** An RS256 JWT, as GitHub's OIDC issuer signs them. */
export function signJwt(claims: JwtClaims, key: KeyObject, kid: string): string {
  const header = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid, x5t: kid }))
  const payload = b64url(JSON.stringify(claims))
  const signature = sign('sha256', Buffer.from(`${header}.${payload}`), key).toString('base64url')
  return `${header}.${payload}.${signature}`
}

export class JwtError extends Error {}

/** Verifies an RS256 JWT against a JWKS the way a relying party does; throws JwtError with the reason. */
export function verifyJwt(
  token: string,
  jwks: { keys: Array<JsonWebKey & { kid?: string }> },
  now = Date.now()
): JwtClaims {
  const parts = token.split('.')
  if (parts.length !== 3) throw new JwtError('token is not a JWT')
  const [h, p, s] = parts as [string, string, string]
  let header: { alg?: string; kid?: string }
  let claims: JwtClaims
  try {
    header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8'))
    claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8'))
  } catch {
    throw new JwtError('token is not a JWT')
  }
  if (header.alg !== 'RS256') throw new JwtError(`unsupported algorithm ${header.alg}`)
  const jwk = jwks.keys.find(k => k.kid === header.kid)
  if (!jwk) throw new JwtError(`no key ${header.kid} in the issuer's JWKS`)
  const key = createPublicKey({ key: jwk, format: 'jwk' })
  if (!verify('sha256', Buffer.from(`${h}.${p}`), key, Buffer.from(s, 'base64url'))) {
    throw new JwtError('token signature is invalid')
  }
  const seconds = Math.floor(now / 1000)
  if (typeof claims.exp !== 'number' || claims.exp <= seconds)
    throw new JwtError('token is expired')
  if (typeof claims.nbf === 'number' && claims.nbf > seconds + 60)
    throw new JwtError('token is not yet valid')
  return claims
}
