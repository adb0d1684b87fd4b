import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Signer } from './settings';

/** `SHA256:` and the base64 sha256 of a public key's DER (SubjectPublicKeyInfo), as `ssh-keygen -l` prints it. */
export function keyFingerprint(publicKey: KeyObject): string {
  const der = publicKey.export({ format: 'der', type: 'spki' });
  return `SHA256:${createHash('sha256').update(der).digest('base64').replace(/=+$/, '')}`;
}

export function signerOf(privateKey: KeyObject): Signer {
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKeyPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(), fingerprint: keyFingerprint(publicKey) };
}

/**
 * The Ed25519 key in `file` (PEM, PKCS#8), created there (mode 0600) with its public half beside it
 * (`<file>.pub`) when it does not exist yet.
 */
export function loadOrCreateSigner(file: string): Signer {
  if (fs.existsSync(file)) return signerOf(createPrivateKey(fs.readFileSync(file)));
  const { privateKey } = generateKeyPairSync('ed25519');
  const signer = signerOf(privateKey);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
  fs.writeFileSync(`${file}.pub`, signer.publicKeyPem);
  return signer;
}
