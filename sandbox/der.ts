import { createPrivateKey, createPublicKey, sign, type KeyObject } from 'node:crypto'

// Just enough DER to write a self-signed X.509 certificate: Node can parse and verify
// certificates but has no API to create one.

function length(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n])
  const bytes: number[] = []
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff)
  return Buffer.from([0x80 | bytes.length, ...bytes])
}

function tlv(tag: number, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), length(content.length), content])
}

const seq = (...items: Buffer[]): Buffer => tlv(0x30, Buffer.concat(items))
const set = (...items: Buffer[]): Buffer => tlv(0x31, Buffer.concat(items))
const utf8 = (text: string): Buffer => tlv(0x0c, Buffer.from(text, 'utf8'))
const explicit = (n: number, inner: Buffer): Buffer => tlv(0xa0 + n, inner)

function integer(bytes: Buffer): Buffer {
  const positive =
    bytes[0] !== undefined && bytes[0] & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes
  return tlv(0x02, positive)
}

function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number)
  const bytes = [40 * (parts[0] as number) + (parts[1] as number)]
  for (const part of parts.slice(2)) {
    const chunk: number[] = [part & 0x7f]
    for (let v = part >> 7; v > 0; v >>= 7) chunk.unshift((v & 0x7f) | 0x80)
    bytes.push(...chunk)
  }
  return tlv(0x06, Buffer.from(bytes))
}

function time(date: Date): Buffer {
  const text = date.toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z'
  return tlv(0x17, Buffer.from(text, 'ascii'))
}

function bitString(bytes: Buffer): Buffer {
  return tlv(0x03, Buffer.concat([Buffer.from([0]), bytes]))
}

const name = (commonName: string, org: string): Buffer =>
  seq(set(seq(oid('2.5.4.10'), utf8(org))), set(seq(oid('2.5.4.3'), utf8(commonName))))

/** A self-signed ECDSA P-384 certificate for `privateKey`, as PEM. */
export function selfSignedCertificate(
  privateKey: KeyObject | string,
  commonName: string,
  days: number
): string {
  const key = typeof privateKey === 'string' ? createPrivateKey(privateKey) : privateKey
  const spki = createPublicKey(key).export({ type: 'spki', format: 'der' })
  const algorithm = seq(oid('1.2.840.10045.4.3.3')) // ecdsa-with-SHA384
  const now = new Date()
  const serial = Buffer.from(Array.from({ length: 8 }, () => Math.floor(Math.random() * 256)))
  // Positive and minimal: a first byte of 0 followed by one under 0x80 is a non-minimal DER
  // INTEGER, which OpenSSL rejects ("illegal padding") about once in 256 certificates.
  serial[0] = ((serial[0] as number) & 0x7f) | 0x40
  const subject = name(commonName, 'Mondoo sandbox')
  const tbs = seq(
    explicit(0, integer(Buffer.from([2]))),
    integer(serial),
    algorithm,
    subject,
    seq(time(new Date(now.getTime() - 60000)), time(new Date(now.getTime() + days * 86400000))),
    subject,
    spki
  )
  const signature = sign('sha384', tbs, key)
  const der = seq(tbs, algorithm, bitString(signature))
  const body = der
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .trim()
  return `-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----\n`
}
