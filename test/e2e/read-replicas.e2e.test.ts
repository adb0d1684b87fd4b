/**
 * Read replicas (MODELGRAPH_READ_DATABASE_URL): a real asynchronous streaming replica of Debian's PostgreSQL that
 * applies every commit 3 s late, so which server answered a query shows in its answer. A token that has not written
 * reads the catalog from the replica (a model just made is not there yet); the writer sees its own write at once
 * (read-your-writes for its window), and reads the replica again once the window has passed; a subscription
 * delivers the event from the primary's log while the replica still lags; a replica that dies leaves queries to the
 * primary. Skipped, saying so, without Debian's PostgreSQL server packages.
 */
import { Role } from '../../src/common/role';
import { debianPostgres, startReplicatedPostgres, type ReplicatedPostgres } from '../support/replicated-postgres';
import { subscribe } from '../support/subscriber';
import { ok, startTestServer, type TestServer } from '../support/server';

const BIN = debianPostgres();
const APPLY_DELAY_MS = 3000;
const WINDOW_SECONDS = 1;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
if (!BIN) console.warn('read replica test SKIPPED: no PostgreSQL server binaries under /usr/lib/postgresql (Debian package postgresql)');

let pg: ReplicatedPostgres | undefined;
let t: TestServer | undefined;
afterAll(async () => {
  await t?.close();
  await pg?.stop();
});

const CATALOG = '{ models(first: 100) { edges { node { name } } } }';
type Catalog = { models: { edges: Array<{ node: { name: string } }> } };

(BIN ? it : it.skip)(
  'serves queries from the replica, a writer its own writes from the primary, and falls back when the replica dies',
  async () => {
    pg = await startReplicatedPostgres(BIN as string, { synchronous: false, applyDelayMs: APPLY_DELAY_MS });
    t = await startTestServer(
      { MODELGRAPH_READ_YOUR_WRITES_SECONDS: String(WINDOW_SECONDS) },
      { database: { url: pg.url, ownerUrl: pg.ownerUrl, readUrls: [pg.readUrl] } },
    );
    const server = t;
    const writer = await server.tokenFor(Role.CONTRIBUTOR, 'pipeline');
    const reader = await server.tokenFor(Role.VIEWER, 'dashboard');
    const names = async (token: string) =>
      (ok(await server.post({ query: CATALOG }, token)) as Catalog).models.edges.map((e) => e.node.name);
    const create = async (name: string, token: string) =>
      ok(
        await server.post(
          { query: `mutation { createModel(input: { name: "${name}", owner: "ml", riskTier: LOW }) { model { id } } }` },
          token,
        ),
      );

    const events = subscribe<{ action: string; payload: { name?: string } }>(
      server.baseUrl,
      reader,
      'subscription { lifecycleEvents { action payload } }',
      {},
      'lifecycleEvents',
    );
    await sleep(200);
    await create('churn-v1', writer);
    // The writer, at once: its own write (the primary).
    expect(await names(writer)).toEqual(['churn-v1']);
    // Another token, at once: the replica, which has not applied it yet.
    expect(await names(reader)).toEqual([]);
    // The subscriber hears of it from the primary's log while the replica still lags.
    await events.waitFor(1, APPLY_DELAY_MS);
    expect(await names(reader)).toEqual([]);
    // Then the replica applies it, and every reader sees it.
    await eventually(async () => (await names(reader)).includes('churn-v1'));

    // The writer's window has passed: its queries read the replica again, which lags behind another token's write.
    await sleep(WINDOW_SECONDS * 1000);
    await create('fraud-v1', server.adminToken);
    expect(await names(server.adminToken)).toContain('fraud-v1');
    expect(await names(writer)).not.toContain('fraud-v1');
    await eventually(async () => (await names(writer)).includes('fraud-v1'));
    await events.close();

    // The replica dies: queries are answered by the primary, with no error.
    await pg.stopReplica();
    await create('ranker-v1', server.adminToken);
    await sleep(WINDOW_SECONDS * 1000);
    expect((await names(reader)).sort()).toEqual(['churn-v1', 'fraud-v1', 'ranker-v1']);
    expect(await names(writer)).toContain('ranker-v1');
  },
  120_000,
);

/** Polls `check` until it holds (the replica's delay is 3 s; 15 s at most). */
async function eventually(check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('the replica did not catch up within 15 s');
    await sleep(100);
  }
}
