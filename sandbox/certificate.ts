// @peculiar/x509 resolves its algorithms through tsyringe, which needs the Reflect metadata API.
import 'reflect-metadata'
import { KeyObject, webcrypto } from 'node:crypto'
import * as x509 from '@peculiar/x509'

// Node can parse and verify certificates but has no API to create one; @peculiar/x509
// writes the DER (its serial numbers are minimal positive INTEGERs, which OpenSSL insists on).
x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0])

const EC = { name: 'ECDSA', namedCurve: 'P-384', hash: 'SHA-384' } as const

export interface SelfSigned {
  /** PKCS#8 PEM ("-----BEGIN PRIVATE KEY-----"). */
  privateKey: string
  /** X.509 PEM ("-----BEGIN CERTIFICATE-----"). */
  certificate: string
}

/**
 * A fresh ECDSA P-384 key and a self-signed certificate for it, valid from a minute ago for
 * `days` days. `ips` become subjectAltName entries, for a TLS server on loopback.
 */
export async function selfSigned(
  commonName: string,
  days: number,
  ips: string[] = []
): Promise<SelfSigned> {
  const keys = (await webcrypto.subtle.generateKey(EC, true, [
    'sign',
    'verify'
  ])) as webcrypto.CryptoKeyPair
  const now = Date.now()
  const extensions: x509.Extension[] = ips.length
    ? [new x509.SubjectAlternativeNameExtension(ips.map(value => ({ type: 'ip', value })))]
    : []
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    name: [{ O: ['Mondoo sandbox'] }, { CN: [commonName] }],
    keys,
    notBefore: new Date(now - 60000),
    notAfter: new Date(now + days * 86400000),
    signingAlgorithm: EC,
    extensions
  })
  const privateKey = KeyObject.from(keys.privateKey)
    .export({ type: 'pkcs8', format: 'pem' })
    .toString()
  return { privateKey, certificate: certificate.toString('pem') + '\n' }
}
