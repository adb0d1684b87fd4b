// `npm run bench:artifacts [-- --mb 1024 --uploads 3 --s3]`: artifacts streamed into the registry over HTTP
// (PUT /artifacts/<versionId>) and back (GET), with the sha256 checked on the way in. Prints MB/s (MB = 2^20 bytes)
// and what JavaScript held meanwhile (heap + Buffers, and RSS), beside a reference in the same run: the same bytes
// written to the same store by bare code (a file write with a sha256, or a bare multipart upload to S3).
// The server runs in this process (the client only generates bytes, 1 MiB at a time), so the memory figures are
// an upper bound for the server. Not a test: it prints figures.
import 'reflect-metadata';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { createHash } from 'node:crypto';
import { createWriteStream, promises as fs } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import S3rver from 's3rver';
import { loadConfig } from '../src/config';
import { createModelgraph, createModelgraphDataSource } from '../src/composition';
import { createLogger } from '../src/logger';
import { SYSTEM_CALLER } from '../src/modules/tokens/token.service';
import { ArtifactFormat } from '../src/modules/versions/version.enums';
import { startServer } from '../src/server/app';
import { createMetrics } from '../src/server/metrics';
import { openBenchDatabase } from './bench-support';

const MiB = 2 ** 20;

/** `mb` MiB of bytes made as they are read, 1 MiB at a time, the same for the same seed. */
function generated(mb: number, seed: number): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent === mb) return void this.push(null);
      const chunk = Buffer.alloc(MiB, (sent * 7 + seed) % 251);
      chunk.writeUInt32BE(sent, 0);
      chunk.writeUInt32BE(seed, 4);
      sent += 1;
      this.push(chunk);
    },
  });
}

async function sha256Of(body: Readable): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of body) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Samples what this process holds every 20 ms; `peak()` answers the growth over the start. */
function memorySampler() {
  const held = () => process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
  const start = { held: held(), rss: process.memoryUsage().rss };
  const peak = { ...start };
  const timer = setInterval(() => {
    peak.held = Math.max(peak.held, held());
    peak.rss = Math.max(peak.rss, process.memoryUsage().rss);
  }, 20);
  return {
    stop: () => {
      clearInterval(timer);
      return { heldMb: (peak.held - start.held) / MiB, rssMb: peak.rss / MiB, rssGrowthMb: (peak.rss - start.rss) / MiB };
    },
  };
}

function put(url: string, token: string, mb: number, seed: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-length': String(mb * MiB) } });
    request.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    request.on('error', reject);
    generated(mb, seed).pipe(request);
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      mb: { type: 'string', default: '1024' },
      uploads: { type: 'string', default: '3' },
      s3: { type: 'boolean', default: false },
    },
  });
  const mb = Number(values.mb);
  const uploads = Number(values.uploads);
  const folder = await fs.mkdtemp(path.join(os.tmpdir(), 'mg-bench-artifacts-'));
  let s3rver: S3rver | null = null;
  let env: Record<string, string> = { MODELGRAPH_ARTIFACT_DIR: path.join(folder, 'store') };
  let s3Client: S3Client | null = null;
  if (values.s3) {
    s3rver = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: path.join(folder, 's3') });
    const { port } = await s3rver.run();
    const endpoint = `http://127.0.0.1:${port}`;
    s3Client = new S3Client({
      endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    });
    await s3Client.send(new CreateBucketCommand({ Bucket: 'artifacts' }));
    env = {
      MODELGRAPH_ARTIFACT_STORE: 's3',
      MODELGRAPH_S3_BUCKET: 'artifacts',
      MODELGRAPH_S3_ENDPOINT: endpoint,
      MODELGRAPH_S3_ACCESS_KEY_ID: 'S3RVER',
      MODELGRAPH_S3_SECRET_ACCESS_KEY: 'S3RVER',
    };
  }
  const config = loadConfig({ LOG_LEVEL: 'silent', NODE_ENV: 'production', ...env });
  const bench = await openBenchDatabase('artifacts');
  const db = createModelgraphDataSource({ url: bench.url });
  await db.initialize();
  await db.runMigrations({ transaction: 'each' });
  const { services: s, application } = await createModelgraph(db, { artifacts: config.artifacts });
  const server = await startServer(
    { config, db, logger: createLogger('silent'), metrics: createMetrics(), application },
    { port: 0, host: '127.0.0.1' },
  );
  const base = `http://127.0.0.1:${server.port}`;
  try {
    const { secret: token } = await s.tokens.create(SYSTEM_CALLER, { subject: 'ci-pipeline', role: 'CONTRIBUTOR' as never });
    const model = await s.models.create(SYSTEM_CALLER, { name: `bench-artifacts-${process.pid}`, owner: 'bench' });
    console.log(
      `modelgraph artifacts benchmark: ${uploads} uploads of ${mb} MiB over HTTP into the ${values.s3 ? 's3 store (s3rver, local)' : `filesystem store (${folder})`}, ` +
        `then one download; machine: ${os.cpus().length} cores, node ${process.version}\n`,
    );
    const rows: string[] = [];
    const line = (what: string, seconds: number, extra = '') =>
      rows.push(`${what.padEnd(34)} ${seconds.toFixed(2).padStart(8)} s ${(mb / seconds).toFixed(1).padStart(8)} MB/s  ${extra}`);
    let lastVersion = '';
    let lastSha = '';
    const upload: number[] = [];
    for (let i = 0; i < uploads; i += 1) {
      const sha = await sha256Of(generated(mb, i));
      const { version } = await s.versions.register(SYSTEM_CALLER, {
        modelId: model.id,
        code: { repo: 'https://github.com/acme/bench', commit: 'c'.repeat(40) },
        datasetVersions: ['s3://data@v1'],
        environment: { imageDigest: `img@sha256:${'ab'.repeat(32)}` },
        artifact: { format: ArtifactFormat.ONNX, sha256: sha, sizeBytes: mb * MiB },
      });
      global.gc?.();
      const memory = memorySampler();
      const started = performance.now();
      const status = await put(`${base}/artifacts/${version.id}`, token, mb, i);
      const seconds = (performance.now() - started) / 1000;
      const m = memory.stop();
      if (status !== 201) throw new Error(`upload ${i + 1} answered ${status}`);
      upload.push(mb / seconds);
      line(
        `upload ${i + 1} (PUT, sha256 checked)`,
        seconds,
        `heap + buffers +${m.heldMb.toFixed(0)} MB, RSS peak ${m.rssMb.toFixed(0)} MB (+${m.rssGrowthMb.toFixed(0)})`,
      );
      lastVersion = version.id;
      lastSha = sha;
    }
    const memory = memorySampler();
    let started = performance.now();
    const res = await fetch(`${base}/artifacts/${lastVersion}`, { headers: { authorization: `Bearer ${token}` } });
    const downloaded = await sha256Of(Readable.fromWeb(res.body as never));
    const m = memory.stop();
    line(
      'download (GET)',
      (performance.now() - started) / 1000,
      `sha256 ${downloaded === lastSha ? 'matches' : 'DIFFERS'}; heap + buffers +${m.heldMb.toFixed(0)} MB`,
    );
    started = performance.now();
    const tail = await fetch(`${base}/artifacts/${lastVersion}`, {
      headers: { authorization: `Bearer ${token}`, range: `bytes=${mb * MiB - MiB}-` },
    });
    await tail.arrayBuffer();
    const rangeMs = performance.now() - started;

    // The reference: the same bytes, hashed, into the same kind of store by bare code.
    started = performance.now();
    const hash = createHash('sha256');
    const meter = new Transform({ transform: (chunk, _e, done) => (hash.update(chunk), done(null, chunk)) });
    if (s3Client) {
      await new Upload({
        client: s3Client,
        params: { Bucket: 'artifacts', Key: 'bare/reference', Body: generated(mb, 99).pipe(meter) },
        partSize: 8 * MiB,
        queueSize: 4,
      }).done();
    } else {
      await pipeline(generated(mb, 99), meter, createWriteStream(path.join(folder, 'bare-reference')));
    }
    const bare = (performance.now() - started) / 1000;
    line(`reference: bare ${s3Client ? 'multipart upload' : 'file write'} + sha256`, bare);
    console.log(rows.join('\n'));
    const best = Math.max(...upload);
    console.log(`\nlast MiB by range: ${rangeMs.toFixed(0)} ms`);
    console.log(`upload, best of ${uploads}: ${best.toFixed(1)} MB/s; modelgraph / bare: ${(best / (mb / bare)).toFixed(2)}×`);
  } finally {
    await server.close();
    await db.destroy();
    await bench.close();
    s3Client?.destroy();
    await s3rver?.close();
    await fs.rm(folder, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
