import { createHash } from 'node:crypto';
import {
  currentRootDigest,
  signatureCounts,
  signatureDownloadPath,
  signerName,
  singleResourceName,
  SigningMethod,
  TrustScope,
  validateScope,
  validateSignerName,
  validateSigstoreIdentity,
  type RecordedSignature,
} from '../../src/modules/trust/signer.rules';
import { ecKey, signModel } from '../support/oms';
import { expectBadInput } from './bad-input';

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');
const ROOT = sha256('root');

const signature = (overrides: Partial<RecordedSignature> = {}, revokedAt: Date | null = null): RecordedSignature => ({
  signer: 'SHA256:abc',
  method: SigningMethod.KEY,
  rootDigest: ROOT,
  attachedAt: new Date('2026-01-02T00:00:00Z'),
  signedAt: new Date('2026-01-02T00:00:00Z'),
  trustedSigner: { name: 'release-key', scope: TrustScope.GLOBAL, revokedAt },
  ...overrides,
});

describe('signatureCounts', () => {
  test('counts: trusted, not revoked, the current root digest, any signer when the rule names none', () => {
    expect(signatureCounts(signature(), ROOT)).toEqual({ counts: true, reason: 'verified against release-key (GLOBAL)' });
    expect(signatureCounts(signature(), ROOT, ['release-key', 'other']).counts).toBe(true);
  });

  test('revoked before (or when) it was attached: does not count; revoked after: still counts, and says so', () => {
    const before = signatureCounts(signature({}, new Date('2026-01-01T00:00:00Z')), ROOT);
    expect(before).toEqual({ counts: false, reason: 'release-key was revoked (2026-01-01T00:00:00.000Z) before it was attached' });
    expect(signatureCounts(signature({}, new Date('2026-01-02T00:00:00Z')), ROOT).counts).toBe(false);
    const after = signatureCounts(signature({}, new Date('2026-01-03T00:00:00Z')), ROOT);
    expect(after.counts).toBe(true);
    expect(after.reason).toMatch(/revoked after it was attached, which does not undo it$/);
  });

  test('another root digest, or none known: does not count; a signer the policy does not name: does not count', () => {
    expect(signatureCounts(signature(), sha256('other')).reason).toMatch(/^it signs root digest .* not the version's files/);
    expect(signatureCounts(signature(), null).counts).toBe(false);
    expect(signatureCounts(signature(), ROOT, ['ci-key'])).toEqual({
      counts: false,
      reason: "release-key is not among the policy's signers (ci-key)",
    });
  });
});

describe('the inputs', () => {
  test('a scope names exactly what it needs', () => {
    validateScope(TrustScope.GLOBAL, null, null);
    validateScope(TrustScope.TEAM, 't', null);
    validateScope(TrustScope.MODEL, null, 'm');
    expectBadInput(() => validateScope(TrustScope.TEAM, null, null), 'teamId');
    expectBadInput(() => validateScope(TrustScope.MODEL, null, null), 'modelId');
    expectBadInput(() => validateScope(TrustScope.GLOBAL, 't', null), 'teamId');
    expectBadInput(() => validateScope(TrustScope.TEAM, 't', 'm'), 'modelId');
  });

  test('names: 1 to 200 characters, no white space around them', () => {
    expect(validateSignerName('release-key')).toBe('release-key');
    expectBadInput(() => validateSignerName(''), 'name');
    expectBadInput(() => validateSignerName(' key'), 'name');
    expectBadInput(() => validateSignerName('k'.repeat(201)), 'name');
  });

  test('a Sigstore identity: an issuer URL, a subject exact or a glob, never `*` alone', () => {
    expect(validateSigstoreIdentity('https://token.actions.githubusercontent.com', 'https://github.com/acme/*')).toBe('glob');
    expect(validateSigstoreIdentity('https://accounts.google.com', 'ml@acme.example')).toBe('exact');
    expectBadInput(() => validateSigstoreIdentity('accounts.google.com', 'ml@acme.example'), 'issuer');
    expectBadInput(() => validateSigstoreIdentity('https://accounts.google.com', '**'), 'subject');
    expectBadInput(() => validateSigstoreIdentity('https://accounts.google.com', 'a b'), 'subject');
  });
});

describe('names and digests', () => {
  test('a signer as people read it', () => {
    expect(signerName({ method: 'key', fingerprint: 'ab', curve: 'P-256' })).toEqual({ signer: 'SHA256:ab', issuer: null });
    expect(
      signerName({ method: 'certificate', subject: 'CN=leaf', issuer: 'CN=ca', fingerprint: 'f', serialNumber: '1', curve: 'P-384' }),
    ).toEqual({ signer: 'CN=leaf', issuer: 'CN=ca' });
    const long = signerName({ method: 'sigstore', identity: 'x'.repeat(5000), issuer: 'https://accounts.google.com' }).signer;
    expect([long.length, long.endsWith('…')]).toEqual([1000, true]);
    expect(signerName({ method: 'sigstore', identity: 'ml@acme.example', issuer: 'https://accounts.google.com' })).toEqual({
      signer: 'ml@acme.example',
      issuer: 'https://accounts.google.com',
    });
  });

  test("the current root digest: a folder's own, a single file's the digest over its digest", () => {
    const file = sha256('weights');
    expect(currentRootDigest('FOLDER', ROOT)).toBe(ROOT);
    expect(currentRootDigest('FILE', file)).toBe(sha256(Buffer.from(file, 'hex')));
    expect(currentRootDigest('FILE', null)).toBeNull();
  });

  test('the one resource of a single-file bundle, else null (never throws)', () => {
    const key = ecKey();
    const one = signModel([{ path: 'model.onnx', content: 'x' }], { method: 'key', privateKey: key });
    const two = signModel(
      [
        { path: 'a', content: 'x' },
        { path: 'b', content: 'y' },
      ],
      { method: 'key', privateKey: key },
    );
    expect(singleResourceName(one)).toBe('model.onnx');
    expect(singleResourceName(JSON.stringify(one))).toBe('model.onnx');
    expect(singleResourceName(two)).toBeNull();
    for (const junk of [null, 'not json', {}, { dsseEnvelope: { payload: '!!!' } }, 42]) expect(singleResourceName(junk)).toBeNull();
  });

  test('the download path of a signature', () => {
    expect(signatureDownloadPath('v', 's')).toBe('/artifacts/v/model.sig?signature=s');
  });
});
