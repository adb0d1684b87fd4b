import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { approvalMessage, parsePublicKey, verifySignature, type ApprovalMessageFields } from '../../src/modules/governance/approval.rules';
import { expectBadInput } from './bad-input';
import { Decision } from '../../src/modules/governance/governance.enums';

const { publicKey, privateKey } = generateKeyPairSync('ed25519');
const PEM = publicKey.export({ format: 'pem', type: 'spki' }).toString();
const SPKI_DER = publicKey.export({ format: 'der', type: 'spki' });
const RAW_BASE64 = SPKI_DER.subarray(SPKI_DER.length - 32).toString('base64');

const FIELDS: ApprovalMessageFields = {
  versionId: '6f1c2d3e-0000-4000-8000-000000000001',
  artifactSha256: 'a'.repeat(64),
  targetStage: 'PRODUCTION',
  decision: Decision.APPROVED,
  approver: 'bob',
  signedAt: '2024-06-01T12:00:00.000Z',
};

const signWith = (key: KeyObject, message: string): string => sign(null, Buffer.from(message), key).toString('base64');

describe('parsePublicKey', () => {
  it('accepts the PEM (SPKI) of an Ed25519 key', () => {
    const parsed = parsePublicKey(PEM);
    expect(parsed.key.asymmetricKeyType).toBe('ed25519');
    expect(parsed.key.type).toBe('public');
    expect(parsed.pem).toBe(PEM);
    expect(parsed.fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
  });

  it('accepts the 32 raw bytes in base64, with the same fingerprint and PEM', () => {
    expect(Buffer.from(RAW_BASE64, 'base64')).toHaveLength(32);
    const fromRaw = parsePublicKey(RAW_BASE64);
    const fromPem = parsePublicKey(PEM);
    expect(fromRaw.fingerprint).toBe(fromPem.fingerprint);
    expect(fromRaw.pem).toBe(PEM);
  });

  it('accepts surrounding whitespace and unpadded base64', () => {
    expect(parsePublicKey(`\n  ${PEM}  \n`).fingerprint).toBe(parsePublicKey(PEM).fingerprint);
    expect(parsePublicKey(` ${RAW_BASE64.replace(/=+$/, '')}\n`).fingerprint).toBe(parsePublicKey(PEM).fingerprint);
  });

  it('gives different keys different fingerprints', () => {
    const other = generateKeyPairSync('ed25519').publicKey.export({ format: 'pem', type: 'spki' }).toString();
    expect(parsePublicKey(other).fingerprint).not.toBe(parsePublicKey(PEM).fingerprint);
  });

  describe('refuses', () => {
    it.each([
      ['garbage', 'not a key at all'],
      ['an empty string', ''],
      ['31 raw bytes', Buffer.alloc(31, 7).toString('base64')],
      ['33 raw bytes', Buffer.alloc(33, 7).toString('base64')],
      ['the 44-byte SPKI DER in base64', SPKI_DER.toString('base64')],
      ['32 bytes in base64url with characters base64 does not use', Buffer.alloc(32, 0xfb).toString('base64url')],
      ['a PEM with a garbage body', '-----BEGIN PUBLIC KEY-----\nbm90IGEga2V5\n-----END PUBLIC KEY-----'],
    ])('%s', (_label, text) => {
      expectBadInput(() => parsePublicKey(text), 'publicKey');
    });

    it('an RSA public key PEM', () => {
      const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'pem', type: 'spki' }).toString();
      expect(expectBadInput(() => parsePublicKey(rsa), 'publicKey').message).toMatch(/Ed25519/);
    });

    it('an EC (P-256) public key PEM', () => {
      const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'pem', type: 'spki' }).toString();
      expect(expectBadInput(() => parsePublicKey(ec), 'publicKey').message).toMatch(/Ed25519/);
    });
  });
});

describe('approvalMessage', () => {
  it('is canonical JSON with the kind, whatever the order of the fields', () => {
    const reversed = Object.fromEntries(Object.entries(FIELDS).reverse()) as unknown as ApprovalMessageFields;
    const message = approvalMessage(FIELDS);
    expect(approvalMessage(reversed)).toBe(message);
    expect(JSON.parse(message)).toEqual({ kind: 'modelgraph.approval.v1', ...FIELDS });
    expect(message).toBe(
      '{"approver":"bob","artifactSha256":"' +
        'a'.repeat(64) +
        '","decision":"APPROVED","kind":"modelgraph.approval.v1","signedAt":"2024-06-01T12:00:00.000Z",' +
        '"targetStage":"PRODUCTION","versionId":"6f1c2d3e-0000-4000-8000-000000000001"}',
    );
  });

  it.each(Object.keys(FIELDS) as Array<keyof ApprovalMessageFields>)('changes when %s changes', (field) => {
    const changed = { ...FIELDS, [field]: field === 'decision' ? 'REJECTED' : `${FIELDS[field]}x` };
    expect(approvalMessage(changed)).not.toBe(approvalMessage(FIELDS));
  });
});

describe('verifySignature', () => {
  const message = approvalMessage(FIELDS);
  const signature = signWith(privateKey, message);

  it('is true for the key’s signature of the message', () => {
    expect(verifySignature(PEM, message, signature)).toBe(true);
    expect(verifySignature(parsePublicKey(RAW_BASE64).pem, message, signature)).toBe(true);
  });

  it.each([
    ['another decision', { decision: 'REJECTED' }],
    ['another stage', { targetStage: 'STAGING' }],
    ['another artifact digest', { artifactSha256: 'b'.repeat(64) }],
    ['another time', { signedAt: '2024-06-01T12:00:01.000Z' }],
    ['another approver', { approver: 'mallory' }],
    ['another version', { versionId: '6f1c2d3e-0000-4000-8000-000000000002' }],
  ] as Array<[string, Partial<ApprovalMessageFields>]>)('is false for a signature over a message with %s', (_label, change) => {
    const otherSignature = signWith(privateKey, approvalMessage({ ...FIELDS, ...change }));
    expect(verifySignature(PEM, message, otherSignature)).toBe(false);
  });

  it('is false for a signature by another key', () => {
    const other = generateKeyPairSync('ed25519').privateKey;
    expect(verifySignature(PEM, message, signWith(other, message))).toBe(false);
  });

  it.each([
    ['truncated', Buffer.from(signature, 'base64').subarray(0, 63).toString('base64')],
    ['too long', Buffer.concat([Buffer.from(signature, 'base64'), Buffer.alloc(1)]).toString('base64')],
    ['garbage', 'not-a-signature'],
    ['empty', ''],
    ['64 zero bytes', Buffer.alloc(64).toString('base64')],
    [
      'one bit flipped',
      (() => {
        const bytes = Buffer.from(signature, 'base64');
        bytes[10] ^= 1;
        return bytes.toString('base64');
      })(),
    ],
  ])('is false for a %s signature', (_label, bad) => {
    expect(verifySignature(PEM, message, bad)).toBe(false);
  });
});

describe('parsePublicKey refuses private keys', () => {
  it('refuses an Ed25519 private key PEM rather than deriving its public half', () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const error = expectBadInput(() => parsePublicKey(pem), 'publicKey');
    expect(error.message).toMatch(/private key/);
  });
});
