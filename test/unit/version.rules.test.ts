import { ArtifactStatus } from '../../src/modules/versions/version.enums';
import {
  initialArtifactStatus,
  storagePath,
  validateRegistration,
  validateSha256,
  type RegistrationShape,
} from '../../src/modules/versions/version.rules';
import { expectBadInput } from './bad-input';

const SHA = 'ab'.repeat(32);
const COMMIT = '0123456789abcdef0123456789abcdef01234567';

/** A registration every rule accepts; each test breaks one part of it. */
function baseline(): RegistrationShape {
  return {
    label: 'candidate',
    description: 'gradient boosted trees',
    code: { repo: 'https://github.com/acme/fraud', commit: COMMIT },
    datasetVersions: ['transactions@2025-01'],
    hyperparameters: { depth: 6, eta: 0.1 },
    environment: { imageDigest: `ghcr.io/acme/train@sha256:${SHA}`, packageLock: null },
    randomSeed: '18446744073709551615',
    trainingRunId: 'run-42',
    artifact: { uri: 's3://models/fraud/3/model.onnx', sha256: SHA, sizeBytes: 1024 },
  };
}

function withChange(change: (input: RegistrationShape) => void): RegistrationShape {
  const input = baseline();
  change(input);
  return input;
}

describe('validateRegistration', () => {
  it('accepts the baseline registration', () => {
    expect(() => validateRegistration(baseline())).not.toThrow();
  });

  it('accepts a minimal registration: package lock only, no artifact yet, optional fields absent', () => {
    const minimal: RegistrationShape = {
      code: { repo: 'git@example.com:acme/fraud.git', commit: 'f'.repeat(64) },
      datasetVersions: ['d1'],
      environment: { packageLock: 'numpy==2.1.0' },
      artifact: {},
    };
    expect(() => validateRegistration(minimal)).not.toThrow();
  });

  it('accepts an artifact given by digest and size before its upload', () => {
    expect(() => validateRegistration(withChange((i) => (i.artifact = { sha256: SHA, sizeBytes: 0 })))).not.toThrow();
  });

  describe('code', () => {
    it.each([
      ['39 hex characters', COMMIT.slice(1)],
      ['41 hex characters', `${COMMIT}0`],
      ['an abbreviated sha', 'abc1234'],
      ['uppercase hex', COMMIT.toUpperCase()],
      ['a non-hex character', `g${COMMIT.slice(1)}`],
      ['a branch name', 'main'],
      ['empty', ''],
    ])('refuses a commit that is %s', (_what, commit) => {
      expectBadInput(() => validateRegistration(withChange((i) => (i.code.commit = commit))), 'code.commit');
    });

    it('refuses an empty repo', () => {
      expectBadInput(() => validateRegistration(withChange((i) => (i.code.repo = ' '))), 'code.repo');
    });
  });

  it('refuses an empty datasetVersions list', () => {
    expectBadInput(() => validateRegistration(withChange((i) => (i.datasetVersions = []))), 'datasetVersions');
  });

  it('refuses a blank dataset version, naming its index', () => {
    expectBadInput(() => validateRegistration(withChange((i) => (i.datasetVersions = ['d1', '']))), 'datasetVersions[1]');
  });

  it.each([
    ['an array', [1, 2]],
    ['a string', 'depth=6'],
    ['a number', 6],
  ])('refuses hyperparameters that are %s', (_what, value) => {
    const input = withChange((i) => (i.hyperparameters = value as unknown as Record<string, unknown>));
    expectBadInput(() => validateRegistration(input), 'hyperparameters');
  });

  describe('environment', () => {
    it.each([
      ['both absent', {}],
      ['both null', { imageDigest: null, packageLock: null }],
      ['both empty', { imageDigest: '', packageLock: '' }],
    ])('refuses an environment with %s', (_what, environment) => {
      expectBadInput(() => validateRegistration(withChange((i) => (i.environment = environment))), 'environment');
    });

    it('accepts both an image digest and a package lock', () => {
      const input = withChange((i) => (i.environment = { imageDigest: `sha256:${SHA}`, packageLock: 'lock' }));
      expect(() => validateRegistration(input)).not.toThrow();
    });

    it.each([
      ['a tag instead of a digest', 'ghcr.io/acme/train:latest'],
      ['a short digest', `sha256:${SHA.slice(2)}`],
      ['uppercase hex', `sha256:${SHA.toUpperCase()}`],
      ['another algorithm', `sha512:${SHA}`],
      ['something after the digest', `sha256:${SHA}x`],
    ])('refuses an image digest that is %s', (_what, imageDigest) => {
      const input = withChange((i) => (i.environment = { imageDigest }));
      expectBadInput(() => validateRegistration(input), 'environment.imageDigest');
    });
  });

  describe('randomSeed', () => {
    it.each(['0', '42', '18446744073709551615'])('accepts %p', (seed) => {
      expect(() => validateRegistration(withChange((i) => (i.randomSeed = seed)))).not.toThrow();
    });

    it.each(['', '-1', '1.5', '1e3', ' 42', 'abc', '9'.repeat(21)])('refuses %p', (seed) => {
      expectBadInput(() => validateRegistration(withChange((i) => (i.randomSeed = seed))), 'randomSeed');
    });
  });

  it('refuses a label that is blank or longer than 100 characters', () => {
    expectBadInput(() => validateRegistration(withChange((i) => (i.label = '  '))), 'label');
    expectBadInput(() => validateRegistration(withChange((i) => (i.label = 'l'.repeat(101)))), 'label');
  });

  describe('artifact', () => {
    it.each([
      ['63 characters', SHA.slice(1)],
      ['65 characters', `${SHA}a`],
      ['uppercase', SHA.toUpperCase()],
      ['prefixed with the algorithm', `sha256:${SHA}`],
    ])('refuses a sha256 of %s', (_what, sha256) => {
      expectBadInput(() => validateRegistration(withChange((i) => (i.artifact.sha256 = sha256))), 'artifact.sha256');
    });

    it('refuses a uri without sha256', () => {
      const input = withChange((i) => (i.artifact = { uri: 's3://b/k', sizeBytes: 10 }));
      expect(expectBadInput(() => validateRegistration(input), 'artifact.sha256').message).toMatch(/required/);
    });

    it('refuses a uri without sizeBytes', () => {
      const input = withChange((i) => (i.artifact = { uri: 's3://b/k', sha256: SHA, sizeBytes: null }));
      expect(expectBadInput(() => validateRegistration(input), 'artifact.sizeBytes').message).toMatch(/required/);
    });

    it.each([-1, 1.5, Number.MAX_SAFE_INTEGER + 1, NaN])('refuses sizeBytes %p', (sizeBytes) => {
      expectBadInput(() => validateRegistration(withChange((i) => (i.artifact.sizeBytes = sizeBytes))), 'artifact.sizeBytes');
    });

    it.each(['models/fraud.onnx', 's3://', 's3://bucket/with space', '   '])('refuses the uri %p', (uri) => {
      expectBadInput(() => validateRegistration(withChange((i) => (i.artifact.uri = uri))), 'artifact.uri');
    });
  });
});

describe('validateSha256', () => {
  it('accepts 64 lowercase hex characters and names the field otherwise', () => {
    expect(() => validateSha256(SHA, 'digest')).not.toThrow();
    expectBadInput(() => validateSha256('', 'digest'), 'digest');
  });
});

describe('initialArtifactStatus', () => {
  it('is READY for an artifact registered by uri', () => {
    expect(initialArtifactStatus({ uri: 's3://b/k', sha256: SHA, sizeBytes: 1 })).toBe(ArtifactStatus.READY);
  });

  it.each([{}, { uri: null }, { sha256: SHA, sizeBytes: 1 }])('is PENDING_UPLOAD without a uri: %p', (artifact) => {
    expect(initialArtifactStatus(artifact)).toBe(ArtifactStatus.PENDING_UPLOAD);
  });
});

describe('storagePath', () => {
  it('is models/<model id>/<version>/: a name can change hands, an id cannot', () => {
    expect(storagePath('0b5e8a5c-3f7e-4d7e-9a55-6a1c2f0e9b11', 3)).toBe('models/0b5e8a5c-3f7e-4d7e-9a55-6a1c2f0e9b11/3/');
  });
});

describe('validateRegistration: edges of the seed and the environment', () => {
  it('refuses a seed above 2^64 - 1', () => {
    expectBadInput(() => validateRegistration(withChange((i) => (i.randomSeed = '18446744073709551616'))), 'randomSeed');
  });

  it('refuses a blank package lock as the only environment', () => {
    expectBadInput(
      () => validateRegistration(withChange((i) => (i.environment = { imageDigest: null, packageLock: '   ' }))),
      'environment.packageLock',
    );
  });
});
