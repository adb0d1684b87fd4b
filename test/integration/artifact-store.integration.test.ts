/**
 * One contract, two backends: the filesystem store and the S3 store against a real S3-compatible HTTP server
 * (s3rver, started here on a free port). Writes are all or nothing, reads stream, ranges are exact.
 */
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import S3rver from 's3rver';
import type { ArtifactStore } from '../../src/modules/artifacts/artifact-store';
import { FilesystemArtifactStore } from '../../src/modules/artifacts/artifact-store.filesystem';
import { PART_SIZE, S3ArtifactStore } from '../../src/modules/artifacts/artifact-store.s3';

async function bytesOf(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** `size` bytes that differ from position to position, made as they are read (never all in memory at once). */
function pattern(size: number, chunk = 1 << 20): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= size) return void this.push(null);
      const n = Math.min(chunk, size - sent);
      const buf = Buffer.allocUnsafe(n);
      for (let i = 0; i < n; i += 1) buf[i] = (sent + i) % 251;
      sent += n;
      this.push(buf);
    },
  });
}

function failing(afterBytes: number): Readable {
  let sent = false;
  return new Readable({
    read() {
      if (!sent) {
        sent = true;
        this.push(Buffer.alloc(afterBytes, 1));
      } else this.destroy(new Error('the client went away'));
    },
  });
}

let tmp: string;
let s3rver: S3rver;
let s3Port: number;

beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'mg-store-'));
  s3rver = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: path.join(tmp, 's3') });
  ({ port: s3Port } = await s3rver.run());
  const client = new S3Client({
    endpoint: `http://127.0.0.1:${s3Port}`,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
  await client.send(new CreateBucketCommand({ Bucket: 'artifacts' }));
  client.destroy();
});

afterAll(async () => {
  await s3rver.close();
  await fs.rm(tmp, { recursive: true, force: true });
});

const backends: Array<[string, () => ArtifactStore]> = [
  ['filesystem', () => new FilesystemArtifactStore(path.join(tmp, 'fs'))],
  [
    's3',
    () =>
      new S3ArtifactStore({
        bucket: 'artifacts',
        prefix: 'registry/',
        region: 'us-east-1',
        endpoint: `http://127.0.0.1:${s3Port}`,
        forcePathStyle: true,
        credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      }),
  ],
];

describe.each(backends)('%s store', (name, make) => {
  let store: ArtifactStore;
  beforeAll(() => {
    store = make();
  });
  afterAll(() => (store as Partial<S3ArtifactStore>).close?.());

  test('write then read the whole object and ranges of it; stat', async () => {
    const body = Buffer.from('0123456789abcdefghij');
    await store.write('models/m1/1/artifact', Readable.from([body]));
    expect(await bytesOf((await store.read('models/m1/1/artifact'))!.body)).toEqual(body);
    const range = (await store.read('models/m1/1/artifact', { start: 5, end: 9 }))!;
    expect(range.size).toBe(5);
    expect((await bytesOf(range.body)).toString()).toBe('56789');
    expect(await store.stat('models/m1/1/artifact')).toMatchObject({ key: 'models/m1/1/artifact', size: 20 });
    expect(await store.read('models/m1/2/artifact')).toBeNull();
    expect(await store.stat('models/m1/2/artifact')).toBeNull();
  });

  test('a read says how long the whole object is as stored; a range past its end reads nothing', async () => {
    await store.write('models/m7/1/artifact', Readable.from([Buffer.from('0123456789')]));
    const whole = (await store.read('models/m7/1/artifact'))!;
    expect([whole.size, whole.total, (await bytesOf(whole.body)).length]).toEqual([10, 10, 10]);
    const part = (await store.read('models/m7/1/artifact', { start: 2, end: 4 }))!;
    expect([part.size, part.total, (await bytesOf(part.body)).toString()]).toEqual([3, 10, '234']);
    // A range asked for by a record that says more than is stored: what there is, and the true length.
    const cut = (await store.read('models/m7/1/artifact', { start: 8, end: 299 }))!;
    expect([cut.size, cut.total, (await bytesOf(cut.body)).toString()]).toEqual([2, 10, '89']);
    const past = (await store.read('models/m7/1/artifact', { start: 100, end: 299 }))!;
    expect([past.size, past.total, (await bytesOf(past.body)).length]).toEqual([0, 10, 0]);
  });

  test('a write replaces the object whole; remove is idempotent', async () => {
    await store.write('models/m2/1/artifact', Readable.from([Buffer.from('first')]));
    await store.write('models/m2/1/artifact', Readable.from([Buffer.from('second, longer')]));
    expect((await bytesOf((await store.read('models/m2/1/artifact'))!.body)).toString()).toBe('second, longer');
    await store.remove('models/m2/1/artifact');
    await store.remove('models/m2/1/artifact');
    expect(await store.stat('models/m2/1/artifact')).toBeNull();
  });

  test('a body that breaks off leaves no object behind', async () => {
    await expect(store.write('models/m3/1/artifact', failing(100_000))).rejects.toThrow();
    expect(await store.stat('models/m3/1/artifact')).toBeNull();
    const listed = [];
    for await (const o of store.list('models/m3/')) listed.push(o.key);
    expect(listed).toEqual([]);
  });

  test('list by prefix', async () => {
    for (const key of ['models/m4/1/artifact', 'models/m4/2/artifact', 'models/m5/1/artifact'])
      await store.write(key, Readable.from([Buffer.from(key)]));
    const listed = [];
    for await (const o of store.list('models/m4/')) listed.push([o.key, o.size]);
    expect(listed.sort()).toEqual([
      ['models/m4/1/artifact', 20],
      ['models/m4/2/artifact', 20],
    ]);
  });

  test('URIs into the store and back; other URIs are not its own', () => {
    const uri = store.uriOf('models/m1/1/artifact');
    expect(store.keyOf(uri)).toBe('models/m1/1/artifact');
    expect(store.keyOf('https://example.com/models/m1/1/artifact')).toBeNull();
    expect(store.keyOf(name === 's3' ? 's3://another-bucket/registry/models/m1/1/artifact' : 'file:///etc/passwd')).toBeNull();
  });

  test(`a large object streams in parts (${(3 * PART_SIZE) / 2 ** 20 + 1} MB) and comes back byte for byte`, async () => {
    const size = 3 * PART_SIZE + 2 ** 20;
    await store.write('models/m6/1/artifact', pattern(size));
    const hash = createHash('sha256');
    for await (const chunk of pattern(size)) hash.update(chunk as Buffer);
    const back = createHash('sha256');
    for await (const chunk of (await store.read('models/m6/1/artifact'))!.body) back.update(chunk as Buffer);
    expect(back.digest('hex')).toBe(hash.digest('hex'));
    const tail = (await store.read('models/m6/1/artifact', { start: size - 3, end: size - 1 }))!;
    expect([...(await bytesOf(tail.body))]).toEqual([size - 3, size - 2, size - 1].map((i) => i % 251));
  });
});

test('the filesystem store keeps keys inside its folder and hides partial files', async () => {
  const root = path.join(tmp, 'fs-guard');
  const store = new FilesystemArtifactStore(root);
  await expect(store.write('../escape', Readable.from([Buffer.from('x')]))).rejects.toThrow('outside the store');
  expect(existsSync(path.join(tmp, 'escape'))).toBe(false);
  await fs.mkdir(path.join(root, 'models'), { recursive: true });
  await fs.writeFile(path.join(root, 'models', 'artifact.partial-123'), 'half');
  const listed = [];
  for await (const o of store.list('models/')) listed.push(o.key);
  expect(listed).toEqual([]);
});
