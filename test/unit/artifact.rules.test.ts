import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ExactLength } from '../../src/modules/artifacts/artifact.routes';
import {
  artifactKey,
  coldKey,
  declaredLength,
  declaredSha256,
  parseRange,
  referenceRefusal,
  retryDelayMs,
  storeUnavailability,
} from '../../src/modules/artifacts/artifact.rules';
import { expectBadInput } from './bad-input';

const ALPHA = '0b6f2c1e-5d4a-4b3c-8a29-1f0e9d8c7b6a';
const BRAVO = 'e2d1c0b9-a8f7-4e6d-9c5b-4a3928171605';

describe('referenceRefusal: a reference into the store names only an object of its own model', () => {
  test.each([
    `models/${ALPHA}/imports/model.onnx`,
    `models/${ALPHA}/model.onnx`,
    `models/${ALPHA}/v1.2/artifact`, // a folder that is not a version number
    `models/${ALPHA}/1a/artifact`,
  ])('%s is allowed', (key) => {
    expect(referenceRefusal(key, ALPHA)).toBeNull();
  });

  test.each([
    [`models/${BRAVO}/1/artifact`, `is not under models/${ALPHA}/`], // another model's upload
    [`models/${BRAVO}/imports/model.onnx`, `is not under models/${ALPHA}/`],
    ['imports/model.onnx', `is not under models/${ALPHA}/`], // elsewhere in the store
    [`models/${ALPHA}`, `is not under models/${ALPHA}/`], // the folder, not an object in it
    [`models/${ALPHA.toUpperCase()}/imports/model.onnx`, `is not under models/${ALPHA}/`],
    [`models/${ALPHA}/1/artifact`, 'inside the folder of version 1'], // an upload's place: overwritten by it
    [`models/${ALPHA}/12/imports/model.onnx`, 'inside the folder of version 12'],
    [`cold/models/${ALPHA}/imports/model.onnx`, 'is in cold storage'],
    [`models/${ALPHA}/imports/../../${BRAVO}/1/artifact`, 'segment'], // keys are compared as written
    [`models/${ALPHA}/./imports/model.onnx`, 'segment'],
    [`models/${ALPHA}//model.onnx`, 'segment'],
    [`models/${ALPHA}/imports/`, 'segment'],
  ])('%s is refused: %s', (key, why) => {
    const refusal = referenceRefusal(key, ALPHA);
    expect(refusal).toContain(why);
    // The message states the rule, whatever the reason.
    expect(refusal).toContain(`a key under models/${ALPHA}/, outside the version folders models/${ALPHA}/<number>/`);
  });
});

describe('ExactLength: never more bytes than announced', () => {
  async function through(length: number, chunks: string[]): Promise<{ out: string; error: string | null }> {
    let out = '';
    const sink = new Writable({
      write(chunk, _encoding, done) {
        out += String(chunk);
        done();
      },
    });
    const error = await pipeline(Readable.from(chunks.map((c) => Buffer.from(c))), new ExactLength(length), sink).then(
      () => null,
      (err: Error) => err.message,
    );
    return { out, error };
  }

  test('exactly the announced bytes pass', async () => {
    expect(await through(6, ['abc', 'def'])).toEqual({ out: 'abcdef', error: null });
    expect(await through(0, [])).toEqual({ out: '', error: null });
  });

  test('a source that brings more fails before the excess is written', async () => {
    const { out, error } = await through(4, ['abc', 'def']);
    expect(out).toBe('abc');
    expect(error).toContain('more than the 4 bytes announced');
  });

  test('a source that ends short fails', async () => {
    expect((await through(10, ['abc'])).error).toContain('3 of 10 bytes');
  });
});

describe('artifact rules', () => {
  test('ranges: start-end, open end, suffix, past the end, malformed', () => {
    expect(parseRange(undefined, 100)).toBeNull();
    expect(parseRange('bytes=0-9', 100)).toEqual({ start: 0, end: 9 });
    expect(parseRange('bytes=90-', 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange('bytes=90-500', 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange('bytes=-10', 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange('bytes=-500', 100)).toEqual({ start: 0, end: 99 });
    expect(parseRange('bytes=100-', 100)).toBe('UNSATISFIABLE');
    expect(parseRange('bytes=5-2', 100)).toBe('UNSATISFIABLE');
    expect(parseRange('bytes=-0', 100)).toBe('UNSATISFIABLE');
    expectBadInput(() => parseRange('bytes=0-1,5-6', 100), 'range');
    expectBadInput(() => parseRange('items=0-1', 100), 'range');
    expectBadInput(() => parseRange('bytes=-', 100), 'range');
  });

  test('declared digest and length; keys', () => {
    expect(declaredSha256('AB'.repeat(32))).toBe('ab'.repeat(32));
    expect(declaredSha256(undefined)).toBeNull();
    expectBadInput(() => declaredSha256('abc'), 'x-artifact-sha256');
    expect(declaredLength('42')).toBe(42);
    expectBadInput(() => declaredLength('-1'), 'content-length');
    expect(artifactKey('models/m/3/')).toBe('models/m/3/artifact');
    expect(coldKey('models/m/3/artifact')).toBe('cold/models/m/3/artifact');
  });

  test('backoff doubles from a minute, at most a day', () => {
    expect([1, 2, 3, 4].map(retryDelayMs)).toEqual([60_000, 120_000, 240_000, 480_000]);
    expect(retryDelayMs(30)).toBe(24 * 3600 * 1000);
  });
});

describe('storeUnavailability: the store could not take a write that was not the upload’s fault', () => {
  const withCode = (code: string) => Object.assign(new Error(code), { code });
  it('names a full, read-only or unreachable store, and an S3 5xx', () => {
    expect(storeUnavailability(withCode('ENOSPC'))).toBe('no space left on its device');
    expect(storeUnavailability(withCode('EROFS'))).toBe('its file system is read-only');
    expect(storeUnavailability(withCode('ECONNREFUSED'))).toBe('it refused the connection');
    expect(storeUnavailability(Object.assign(new Error('x'), { name: 'InternalError', $metadata: { httpStatusCode: 500 } }))).toBe(
      'it answered HTTP 500 (InternalError)',
    );
    expect(storeUnavailability(Object.assign(new Error('x'), { name: 'SlowDown' }))).toBe('it answered SlowDown');
    expect(storeUnavailability(new Error('wrapped', { cause: withCode('ENOSPC') }))).toBe('no space left on its device');
  });
  it('is null for what the upload itself did: a client gone, a refusal, an S3 4xx', () => {
    expect(storeUnavailability(withCode('ERR_STREAM_PREMATURE_CLOSE'))).toBeNull();
    expect(storeUnavailability(new Error('aborted'))).toBeNull();
    expect(storeUnavailability(Object.assign(new Error('x'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }))).toBeNull();
  });
});
