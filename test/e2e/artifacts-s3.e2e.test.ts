/**
 * The server with the S3 store (MODELGRAPH_ARTIFACT_STORE=s3) against a real S3-compatible HTTP server (s3rver, on
 * a free port), under MODELGRAPH_VISIBILITY=granted: the reference rule and the framing of downloads as on the
 * filesystem (test/support/artifact-references.ts), with s3:// URIs into the registry's bucket and prefix; a model
 * folder uploaded, served, verified, moved to cold storage, restored and deleted file by file
 * (test/support/artifact-folders.ts); and S3's bound on keys applied to a folder's paths at registration.
 */
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';
import { SYSTEM_CALLER } from '../../src/modules/tokens/token.service';
import { RegisterModelVersionDocument } from '../generated/graphql';
import { folderTests } from '../support/artifact-folders';
import { referenceRuleTests } from '../support/artifact-references';
import { modelName, registration } from '../support/fixtures';
import { errorCode, ok, startTestServer, type TestServer } from '../support/server';

const BUCKET = 'artifacts';
const PREFIX = 'registry/';

let tmp: string;
let s3rver: S3rver;
let client: S3Client;
let t: TestServer;

beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'mg-s3-e2e-'));
  s3rver = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: tmp });
  const { port } = await s3rver.run();
  const endpoint = `http://127.0.0.1:${port}`;
  client = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
  await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
  t = await startTestServer({
    MODELGRAPH_ARTIFACT_STORE: 's3',
    MODELGRAPH_S3_BUCKET: BUCKET,
    MODELGRAPH_S3_PREFIX: PREFIX,
    MODELGRAPH_S3_ENDPOINT: endpoint,
    MODELGRAPH_S3_ACCESS_KEY_ID: 'S3RVER',
    MODELGRAPH_S3_SECRET_ACCESS_KEY: 'S3RVER',
    MODELGRAPH_VISIBILITY: 'granted',
  });
});

afterAll(async () => {
  await t?.close();
  client?.destroy();
  await s3rver?.close();
  await fs.rm(tmp, { recursive: true, force: true });
});

const place = async (key: string, body: Buffer) => {
  await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${PREFIX}${key}`, Body: body }));
};
const read = async (key: string) => {
  try {
    const out = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: `${PREFIX}${key}` }));
    return Buffer.from(await out.Body!.transformToByteArray());
  } catch {
    return null;
  }
};

describe('references into the S3 store', () => {
  referenceRuleTests(() => ({ t, uriOf: (key) => `s3://${BUCKET}/${PREFIX}${key}`, place, read }));
});

describe('a model folder in the S3 store', () => {
  folderTests(() => ({ t, place, read }));

  test('a path whose key S3 could not keep (1,024 bytes with the prefix, cold/ and the version folder) is refused at registration', async () => {
    const model = await t.services.models.create(SYSTEM_CALLER, { name: modelName('s3-keys'), owner: 'ml' });
    // 1,000 bytes: a valid path, but registry/ + cold/ + models/<uuid>/1/ + the path is over 1,024.
    const long = `${'p/'.repeat(400)}${'q'.repeat(200)}`;
    const register = (path: string) =>
      t.request(RegisterModelVersionDocument, {
        input: registration({
          modelId: model.id,
          artifact: {
            format: 'OTHER',
            files: [
              { path: 'MLmodel', sizeBytes: 1 },
              { path, sizeBytes: 1 },
            ],
          },
        }),
      });
    const refused = await register(long);
    expect([errorCode(refused), refused.errors![0].extensions!.field]).toEqual(['BAD_USER_INPUT', 'artifact.files[1].path']);
    expect(refused.errors![0].message).toContain('at most 1015 bytes');
    ok(await register(long.slice(0, 900)));
  });
});
