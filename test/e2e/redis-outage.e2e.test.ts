/**
 * Redis goes away (REDIS_URL set) while events flow: a real redis-server the test starts, stops and starts again.
 * Subscribers keep receiving every event (the dispatcher's per-second read of the audit log needs no signal), and
 * the outage and the recovery are reported once each — not once per event, publish or reconnection attempt.
 */
import type { ChildProcess } from 'node:child_process';
import { ModelgraphClient } from '../../clients/typescript/src/client';
import { startTestServer, type TestServer } from '../support/server';
import { freePort } from '../support/ports';
import { REDIS_SERVER, startRedis, stopRedis } from '../support/redis-server';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

if (!REDIS_SERVER) {
  it.skip('Redis outage (no redis-server: install Debian package redis-server)', () => undefined);
  console.warn('Redis outage test SKIPPED: no redis-server (Debian package redis-server; .ci/run installs it)');
} else {
  let t: TestServer;
  let redis: ChildProcess | null = null;
  const notices: Array<[string, string]> = [];

  afterAll(async () => {
    await t?.close();
    if (redis) await stopRedis(redis);
  });

  it('keeps events flowing while Redis is down, and says so once when it goes and once when it is back', async () => {
    const port = await freePort();
    redis = await startRedis(port);
    t = await startTestServer(
      { REDIS_URL: `redis://127.0.0.1:${port}`, MODELGRAPH_REDIS_CHANNEL: `modelgraph-test:${port}` },
      { notices: { warn: (_f, m) => notices.push(['warn', m]), info: (_f, m) => notices.push(['info', m]) } },
    );
    const client = new ModelgraphClient({ url: t.baseUrl, token: t.adminToken });
    const seen: string[] = [];
    const names: string[] = [];
    const stop = new AbortController();
    const listening = (async () => {
      for await (const event of client.lifecycleEvents({}, { signal: stop.signal }))
        if (event.action === 'model.created') seen.push(event.subjectId);
    })();
    await sleep(1000);
    const created = async (name: string) => {
      const { id } = await client.createModel({ name, owner: 'ops' });
      names.push(name);
      for (let waited = 0; !seen.includes(id); waited += 50) {
        if (waited > 10_000) throw new Error(`${name} never reached the subscriber`);
        await sleep(50);
      }
    };

    await created('before-the-outage');
    await stopRedis(redis);
    redis = null;
    for (const n of [1, 2, 3, 4, 5]) await created(`during-the-outage-${n}`);
    // Reconnection attempts go on meanwhile; none of them is another report.
    await sleep(3000);
    expect(notices).toEqual([['warn', 'Redis is unreachable: events still reach subscribers, by the per-second read of the audit log']]);

    redis = await startRedis(port);
    for (let waited = 0; notices.length < 2 && waited < 15_000; waited += 100) await sleep(100);
    await created('after-the-outage');
    expect(notices).toEqual([
      ['warn', 'Redis is unreachable: events still reach subscribers, by the per-second read of the audit log'],
      ['info', 'Redis is back: events are signalled through it again'],
    ]);
    expect(seen).toHaveLength(7);
    expect(names).toEqual(['before-the-outage', ...[1, 2, 3, 4, 5].map((n) => `during-the-outage-${n}`), 'after-the-outage']);
    stop.abort();
    await listening;
  }, 90_000);
}
