/**
 * The server with the S3 store (MODELGRAPH_ARTIFACT_STORE=s3) against a real S3-compatible HTTP server (s3rver, on
 * a free port), under MODELGRAPH_VISIBILITY=granted: the reference rule and the framing of downloads as on the
 * filesystem (test/support/artifact-references.ts), with s3:// URIs into the registry's bucket and prefix.
 */
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';
import { referenceRuleTests } from '../support/artifact-references';
import { startTestServer, type TestServer } from '../support/server';

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

describe('references into the S3 store', () => {
  referenceRuleTests(() => ({
    t,
    uriOf: (key) => `s3://${BUCKET}/${PREFIX}${key}`,
    place: async (key, body) => {
      await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${PREFIX}${key}`, Body: body }));
    },
    read: async (key) => {
      try {
        const out = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: `${PREFIX}${key}` }));
        return Buffer.from(await out.Body!.transformToByteArray());
      } catch {
        return null;
      }
    },
  }));
});
