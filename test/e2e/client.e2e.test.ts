/**
 * The typed client (clients/typescript) against a real server, through a TCP proxy the test can cut: a write whose
 * answer is lost is retried under the same idempotency key and answers the first result; a subscription whose socket
 * dies resumes from its last cursor with no gap and no duplicate; errors arrive as ModelgraphError with the API's code.
 */
import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ModelgraphClient } from '../../clients/typescript/src/client';
import { ModelgraphError } from '../../clients/typescript/src/errors';
import { manifestOf } from '../../clients/typescript/src/files';
import { waitFor } from '../../clients/typescript/src/wait';
import { ok, startTestServer, type TestServer } from '../support/server';

let t: TestServer;
let dir: string;

/**
 * A proxy to the server; `cutNextAnswer` drops the answer to the next request (which still reaches the server),
 * ending that connection, whichever kept-alive connection it comes on.
 */
async function startProxy(port: number) {
  const sockets = new Set<net.Socket>();
  let cut = false;
  const server = net.createServer((client) => {
    const upstream = net.connect(port, '127.0.0.1');
    sockets.add(client).add(upstream);
    let dropAnswer = false;
    client.on('data', (chunk: Buffer) => {
      if (cut) [cut, dropAnswer] = [false, true];
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => (dropAnswer ? (client.destroy(), upstream.destroy()) : client.write(chunk)));
    const close = () => (client.destroy(), upstream.destroy());
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    cutNextAnswer: () => (cut = true),
    /** Ends every connection open now, as a network blip does. */
    dropAll: () => sockets.forEach((s) => s.destroy()),
    close: () => new Promise<void>((resolve) => (sockets.forEach((s) => s.destroy()), server.close(() => resolve()))),
  };
}

beforeAll(async () => {
  t = await startTestServer();
  dir = await mkdtemp(path.join(os.tmpdir(), 'mg-client-'));
});
afterAll(async () => {
  await t?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const REPRO = {
  code: { repo: 'https://github.com/acme/churn', commit: 'a'.repeat(40) },
  datasetVersions: ['s3://datasets/users@v7'],
  environment: { imageDigest: `ghcr.io/acme/train@sha256:${'b'.repeat(64)}` },
};

describe('the typed client', () => {
  it('retries a write whose answer was lost under the same idempotency key: one version, the first answer', async () => {
    const proxy = await startProxy(t.server.port);
    try {
      const client = new ModelgraphClient({ url: proxy.url, token: t.adminToken, retryDelayMs: 50 });
      await client.createModel({ name: 'churn', owner: 'growth-ml', riskTier: 'LOW' });
      proxy.cutNextAnswer();
      const registered = await client.registerVersion({
        modelName: 'churn',
        ...REPRO,
        artifact: { format: 'ONNX', uri: 's3://models/churn.onnx', sha256: 'c'.repeat(64), sizeBytes: 10 },
      });
      expect(registered).toMatchObject({ replayed: true, version: { version: 1 } });
      expect((await client.model({ name: 'churn' })).versions.totalCount).toBe(1);

      // A write without a key is not retried: the lost answer is the caller's to decide about.
      proxy.cutNextAnswer();
      const lost = await client.createModel({ name: 'churn-2', owner: 'growth-ml' }).catch((e: unknown) => e);
      expect(lost).toBeInstanceOf(ModelgraphError);
      expect((lost as ModelgraphError).code).toBe('NETWORK_ERROR');
    } finally {
      await proxy.close();
    }
  });

  it('resumes a subscription from its last cursor after the socket dies: no gap, no duplicate', async () => {
    const proxy = await startProxy(t.server.port);
    const client = new ModelgraphClient({ url: proxy.url, token: t.adminToken });
    const direct = new ModelgraphClient({ url: t.baseUrl, token: t.adminToken });
    const stop = new AbortController();
    const reconnects: string[] = [];
    const seqs: number[] = [];
    const received = (async () => {
      for await (const event of client.lifecycleEvents({}, { signal: stop.signal, onReconnect: (e) => reconnects.push(e.code) })) {
        seqs.push(event.seq);
        if (seqs.length === 6) break;
      }
    })();
    try {
      await new Promise((r) => setTimeout(r, 1000));
      for (const n of [1, 2, 3]) await direct.createModel({ name: `live-${n}`, owner: 'ml' });
      while (seqs.length < 3) await new Promise((r) => setTimeout(r, 50));
      proxy.dropAll();
      // Written while the client is away: it must get them on its return, from its cursor.
      for (const n of [4, 5, 6]) await direct.createModel({ name: `live-${n}`, owner: 'ml' });
      await received;
      expect(reconnects).toEqual(['NETWORK_ERROR']);
      expect(seqs).toEqual([seqs[0], seqs[0] + 1, seqs[0] + 2, seqs[0] + 3, seqs[0] + 4, seqs[0] + 5]);
    } finally {
      stop.abort();
      await proxy.close();
    }
  });

  it("retries a read through a proxy's HTML 502s (honouring Retry-After), and gives up after its retries", async () => {
    let failing = 2;
    const answered: number[] = [];
    const gateway = http.createServer((req, res) => {
      if (failing > 0) {
        failing -= 1;
        answered.push(502);
        res.writeHead(502, { 'content-type': 'text/html', 'retry-after': '1' }).end('<html><body>502 Bad Gateway</body></html>');
        return;
      }
      answered.push(200);
      req.pipe(
        http.request(
          `${t.baseUrl}/graphql`,
          { method: 'POST', headers: req.headers },
          (up) => (res.writeHead(up.statusCode ?? 500, up.headers), up.pipe(res)),
        ),
      );
    });
    await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(gateway.address() as net.AddressInfo).port}`;
      const started = Date.now();
      expect(await new ModelgraphClient({ url, token: t.adminToken }).viewer()).toMatchObject({ subject: 'admin', role: 'ADMIN' });
      expect(answered).toEqual([502, 502, 200]);
      expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
      failing = 10;
      const gaveUp = await new ModelgraphClient({ url, token: t.adminToken, retries: 1 })
        .viewer()
        .catch((e: unknown) => e as ModelgraphError);
      expect(gaveUp).toMatchObject({ code: 'UNAVAILABLE', status: 502 });
    } finally {
      await new Promise<void>((resolve) => gateway.close(() => resolve()));
    }
  });

  it('waits by polling when websockets do not get through (a proxy that refuses upgrades), and times out with TIMED_OUT', async () => {
    const gateway = http.createServer((req, res) =>
      req.pipe(
        http.request(
          `${t.baseUrl}${req.url}`,
          { method: req.method, headers: req.headers },
          (up) => (res.writeHead(up.statusCode ?? 500, up.headers), up.pipe(res)),
        ),
      ),
    );
    gateway.on('upgrade', (_req, socket) => socket.end('HTTP/1.1 403 Forbidden\r\n\r\n'));
    await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(gateway.address() as net.AddressInfo).port}`;
      const client = new ModelgraphClient({ url, token: t.adminToken });
      const direct = new ModelgraphClient({ url: t.baseUrl, token: t.adminToken });
      await direct.createModel({ name: 'polled', owner: 'ml', riskTier: 'LOW' });
      const { version } = await direct.registerVersion({
        modelName: 'polled',
        ...REPRO,
        artifact: { format: 'ONNX', uri: 's3://models/polled.onnx', sha256: 'e'.repeat(64), sizeBytes: 10 },
      });
      const modes: string[] = [];
      const timedOut = await waitFor(client, version.id, 'STAGING', { timeoutMs: 2500, pollMs: 200, onMode: (m) => modes.push(m) }).catch(
        (e: unknown) => e,
      );
      expect(timedOut).toMatchObject({
        code: 'TIMED_OUT',
        message: 'version 1 of polled did not reach STAGING in 3 s (it is DEVELOPMENT, its artifact READY)',
      });

      const waiting = waitFor(client, version.id, 'STAGING', { timeoutMs: 30_000, pollMs: 200, onMode: (m) => modes.push(m) });
      ok(
        await t.post({
          query: `mutation { setBaseline(input: { modelId: "${version.model.id}", metric: "auc", comparator: GTE, reference: FIXED, threshold: 0.5 }) { baseline { metric } } }`,
        }),
      );
      await direct.logMetrics(version.id, [{ name: 'auc', value: 0.7, source: 'VALIDATION' }]);
      await direct.validate(version.id);
      await new Promise((r) => setTimeout(r, 2500));
      await direct.transition({ versionId: version.id, toStage: 'STAGING', expectedStage: 'DEVELOPMENT' });
      expect((await waiting).version.stage).toBe('STAGING');
      expect(modes).toContain('polling');
    } finally {
      await new Promise<void>((resolve) => gateway.close(() => resolve()));
    }
  });

  it('answers errors as ModelgraphError with the code, the field and the gate report', async () => {
    const client = new ModelgraphClient({ url: t.baseUrl, token: t.adminToken });
    const bad = await client.createModel({ name: 'Not A Slug', owner: 'x' }).catch((e: unknown) => e as ModelgraphError);
    expect(bad).toMatchObject({ code: 'BAD_USER_INPUT', field: expect.stringContaining('name') });
    const { version } = await client.registerVersion({
      modelName: 'churn',
      ...REPRO,
      artifact: { format: 'ONNX', uri: 's3://models/churn-2.onnx', sha256: 'd'.repeat(64), sizeBytes: 10 },
    });
    const gate = (await client
      .transition({ versionId: version.id, toStage: 'STAGING', expectedStage: 'DEVELOPMENT' })
      .catch((e: unknown) => e)) as ModelgraphError;
    expect(gate).toMatchObject({ code: 'GATE_FAILED' });
    expect(gate.gates).toContainEqual(expect.objectContaining({ gate: 'VALIDATION', passed: false }));
    const stranger = new ModelgraphClient({ url: t.baseUrl, token: 'mg_nope' });
    await expect(stranger.models()).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    await expect(client.version('00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('uploads a folder streamed with each sha256, skips what is already READY, and refuses a symbolic link', async () => {
    const client = new ModelgraphClient({ url: t.baseUrl, token: t.adminToken });
    const folder = path.join(dir, 'model');
    await mkdir(path.join(folder, 'weights'), { recursive: true });
    await writeFile(path.join(folder, 'MLmodel'), 'flavors: {}\n');
    await writeFile(path.join(folder, 'weights', 'part-0.bin'), Buffer.alloc(3 * 1024 * 1024, 1));
    const manifest = await manifestOf(folder);
    const { version } = await client.registerVersion({
      modelName: 'churn',
      ...REPRO,
      artifact: ModelgraphClient.artifactOf(manifest, 'PICKLE'),
    });
    const seen: number[] = [];
    const first = await client.upload(version.id, folder, (p) => p.path === 'weights/part-0.bin' && seen.push(p.sentBytes));
    expect(first.map((f) => [f.path, f.uploaded])).toEqual([
      ['MLmodel', true],
      ['weights/part-0.bin', true],
    ]);
    expect(seen.at(-1)).toBe(3 * 1024 * 1024);
    expect((await client.version(version.id)).artifact).toMatchObject({ status: 'READY', layout: 'FOLDER' });
    const again = await client.upload(version.id, folder);
    expect(again.every((f) => !f.uploaded)).toBe(true);

    await symlink('/etc/hostname', path.join(folder, 'link'));
    await expect(manifestOf(folder)).rejects.toMatchObject({
      code: 'BAD_USER_INPUT',
      message: expect.stringContaining('link: a symbolic link'),
    });
  });
});
