/**
 * The `certificate` method: the bundle's `x509CertificateChain` (the leaf, then intermediates) must lead to a
 * certificate authority the registry trusts, every signature on the way checked, every certificate on the path valid
 * at the signing time, every certificate above the leaf a CA (basicConstraints CA, keyCertSign when keyUsage is
 * present, path length constraints kept), and the leaf's key usage (when present) allowing digital signatures. The
 * leaf's key is an OMS signing key (ECDSA P-256, P-384 or P-521). Certificates are read with @sigstore/core's X.509
 * parser; names are printed with node's.
 *
 * A trusted CA may be a root or an intermediate: the path ends at the first certificate that is, or is issued by, a
 * trusted one. Extended key usage is not required (OMS names none). The signing time is the time the caller gives:
 * RFC 3161 timestamps in a `certificate` bundle are not read (the registry keeps no timestamp authorities for this
 * method; the spec makes them optional).
 */
import { createHash, X509Certificate as NodeX509Certificate } from 'node:crypto';
import { pem, X509Certificate } from '@sigstore/core';
import { badInput } from '../../common/errors';
import { readSigningKey, type SigningKey } from './key.rules';
import { refuse } from './trust.rules';

/** A certificate authority the registry trusts (`trustCertificateAuthority`): PEM, or base64 DER. */
export interface TrustedCertificateAuthority {
  readonly id: string;
  readonly certificate: string;
}

/** At most this many certificates in a bundle's chain (the leaf included). */
export const MAX_CHAIN_LENGTH = 10;

export interface CertificateFacts {
  /** The subject's distinguished name, RFC 4514-like (`CN=leaf, O=Example`). */
  readonly subject: string;
  readonly issuer: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** SHA-256 of the DER certificate, lowercase hex. */
  readonly fingerprint: string;
  readonly serialNumber: string;
}

export function parseCertificate(input: string | Buffer): X509Certificate | null {
  try {
    const der =
      typeof input === 'string' ? (/-----BEGIN CERTIFICATE-----/.test(input) ? pem.toDER(input) : Buffer.from(input, 'base64')) : input;
    const cert = X509Certificate.parse(Buffer.from(der));
    // Touch what the rules read, so a malformed certificate is found here, not in the middle of a chain.
    void [cert.subject, cert.issuer, cert.notBefore, cert.notAfter, cert.publicKey, cert.signatureValue, cert.extensions];
    return cert;
  } catch {
    return null;
  }
}

/** The distinguished names, validity and fingerprint of a certificate, for people and for the audit trail. */
export function certificateFacts(cert: X509Certificate): CertificateFacts {
  const der = cert.root.toDER();
  const name = (dn: string) => dn.split('\n').filter(Boolean).join(', ');
  let node: NodeX509Certificate | null = null;
  try {
    node = new NodeX509Certificate(der);
  } catch {
    // @sigstore/core read it and node does not: name it by its fingerprint only.
  }
  return {
    subject: node ? name(node.subject) : '(unreadable name)',
    issuer: node ? name(node.issuer) : '(unreadable name)',
    notBefore: cert.notBefore,
    notAfter: cert.notAfter,
    fingerprint: createHash('sha256').update(der).digest('hex'),
    serialNumber: node ? node.serialNumber.toLowerCase() : cert.serialNumber.toString('hex'),
  };
}

/**
 * A certificate offered as a trusted CA (`trustCertificateAuthority`): its facts, or BAD_USER_INPUT naming the field.
 * It must be a CA certificate (basicConstraints CA, and keyCertSign when keyUsage is present).
 */
export function parseCertificateAuthority(certificate: string, field = 'certificate'): CertificateFacts {
  const cert = parseCertificate(certificate);
  if (!cert) throw badInput(field, 'is not an X.509 certificate (PEM, or base64 DER)');
  if (!cert.isCA) throw badInput(field, `${certificateFacts(cert).subject} is not a CA certificate (basicConstraints CA and keyCertSign)`);
  return certificateFacts(cert);
}

export interface VerifiedChain {
  readonly leaf: X509Certificate;
  readonly key: SigningKey;
  /** The leaf, the intermediates used, and the trusted certificate the path ends at. */
  readonly path: readonly X509Certificate[];
  readonly anchorId: string;
}

const issues = (issuer: X509Certificate, cert: X509Certificate): boolean => {
  if (!issuer.subject.equals(cert.issuer) || !cert.signatureAlgorithm) return false;
  try {
    return cert.verify(issuer);
  } catch {
    return false;
  }
};

const describe = (cert: X509Certificate): string => certificateFacts(cert).subject || '(empty subject)';

/**
 * Builds the path from the leaf to a trusted CA through the bundle's intermediates and checks it at `at`, or refuses
 * naming what failed. `chain` is the bundle's certificates, parsed, the leaf first.
 */
export function verifyCertificateChain(
  chain: readonly X509Certificate[],
  anchors: ReadonlyArray<{ id: string; cert: X509Certificate }>,
  at: Date,
): VerifiedChain {
  const field = 'verificationMaterial.x509CertificateChain.certificates';
  const leaf = chain[0];
  const path: X509Certificate[] = [leaf];
  const unused = new Set(chain.slice(1));
  let anchorId: string | null = null;
  let current = leaf;
  for (;;) {
    const same = anchors.find((a) => a.cert.equals(current));
    if (same) {
      anchorId = same.id;
      break;
    }
    const issuer = anchors.find((a) => issues(a.cert, current));
    if (issuer) {
      path.push(issuer.cert);
      anchorId = issuer.id;
      break;
    }
    const next = [...unused].find((c) => issues(c, current));
    if (!next || path.length >= MAX_CHAIN_LENGTH) {
      const facts = certificateFacts(current);
      return refuse(
        'certificate',
        field,
        `the chain from the leaf ${describe(leaf)} ends at ${facts.subject || '(empty subject)'}, issued by ${facts.issuer || '(empty issuer)'}: no trusted certificate authority issued it`,
      );
    }
    unused.delete(next);
    path.push(next);
    current = next;
  }
  for (let i = 1; i < path.length; i += 1) {
    const cert = path[i];
    if (!cert.isCA)
      return refuse(
        'certificate',
        field,
        `${describe(cert)} signs ${describe(path[i - 1])} but is not a CA (basicConstraints CA and keyCertSign)`,
      );
    const limit = cert.extBasicConstraints?.pathLenConstraint;
    if (limit !== undefined && BigInt(i - 1) > limit)
      return refuse('certificate', field, `${describe(cert)} allows ${limit} intermediates below it; the chain has ${i - 1}`);
  }
  for (const [i, cert] of path.entries()) {
    const which = i === 0 ? `the leaf ${describe(cert)}` : `${describe(cert)} (in the chain)`;
    if (at < cert.notBefore)
      return refuse(
        'certificate',
        field,
        `${which} is not valid until ${cert.notBefore.toISOString()}, after the signing time ${at.toISOString()}`,
      );
    if (at > cert.notAfter)
      return refuse(
        'certificate',
        field,
        `${which} expired at ${cert.notAfter.toISOString()}, before the signing time ${at.toISOString()}`,
      );
  }
  const usage = leaf.extKeyUsage;
  if (usage && !usage.digitalSignature)
    return refuse('certificate', `${field}[0]`, `the leaf ${describe(leaf)}'s key usage does not allow digital signatures`);
  const key = readSigningKey(leaf.publicKey);
  if (typeof key === 'string') return refuse('certificate', `${field}[0]`, `the leaf ${describe(leaf)}'s key ${key}`);
  return { leaf, key, path, anchorId };
}
