// `npm run bench:audit [-- --events 200000]`: how fast the audit chain is verified on a large trail.
// Builds a valid chain of N events (realistic payloads, hashed as appendAudit hashes them) in bulk, then
// times verifyAuditChain over all of it and a checkpoint after 1,000 more. Not a test: it prints figures.
import 'reflect-metadata';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { signerOf } from '../src/common/ed25519';
import { createModelgraphDataSource, createServices } from '../src/composition';
import { createDataSource } from '../src/db/data-source';
import { GENESIS_HASH, hashEvent, type HashedEventFields } from '../src/modules/audit/audit.rules';
import { openBenchDatabase } from './bench-support';

const { values } = parseArgs({ options: { events: { type: 'string', default: '200000' } } });
const EVENTS = Number(values.events);

async function main(): Promise<void> {
  const bench = await openBenchDatabase('audit');
  const migrator = createDataSource({ url: bench.url });
  await migrator.initialize();
  await migrator.runMigrations({ transaction: 'each' });
  await migrator.destroy();
  const db = createModelgraphDataSource({ url: bench.url });
  await db.initialize();
  try {
    const started = Date.now();
    let prevHash = GENESIS_HASH;
    for (let from = 1; from <= EVENTS; from += 5000) {
      const rows: unknown[][] = [];
      for (let seq = from; seq < Math.min(from + 5000, EVENTS + 1); seq += 1) {
        const fields: HashedEventFields = {
          seq,
          id: randomUUID(),
          occurredAt: new Date(Date.UTC(2026, 0, 1) + seq * 1000).toISOString(),
          actor: 'ci-pipeline',
          action: 'version.stage_changed',
          subjectType: 'ModelVersion',
          subjectId: randomUUID(),
          modelId: randomUUID(),
          payload: { version: seq % 50, fromStage: 'STAGING', toStage: 'PRODUCTION', reason: 'release', ticket: `REL-${seq}` },
          requestId: randomUUID(),
        };
        const hash = hashEvent(prevHash, fields);
        rows.push([
          seq,
          fields.id,
          fields.occurredAt,
          fields.actor,
          fields.action,
          fields.subjectType,
          fields.subjectId,
          fields.modelId,
          JSON.stringify(fields.payload),
          fields.requestId,
          prevHash,
          hash,
        ]);
        prevHash = hash;
      }
      const columns = rows[0].map((_, i) => rows.map((r) => r[i]));
      await db.query(
        `INSERT INTO audit_events (seq, id, occurred_at, actor, action, subject_type, subject_id, model_id, payload, request_id, prev_hash, hash)
         SELECT * FROM unnest($1::bigint[], $2::uuid[], $3::timestamptz[], $4::text[], $5::text[], $6::text[], $7::text[], $8::uuid[],
           $9::jsonb[], $10::text[], $11::text[], $12::text[])`,
        columns,
      );
    }
    console.log(
      `modelgraph audit benchmark: ${EVENTS} events written in ${((Date.now() - started) / 1000).toFixed(1)} s; machine: ${os.cpus().length} cores, node ${process.version}, PostgreSQL ${bench.origin}`,
    );
    const settings = {
      audit: {
        signer: signerOf(generateKeyPairSync('ed25519').privateKey),
        checkpointFile: path.join(os.tmpdir(), `modelgraph-bench-${process.pid}.jsonl`),
      },
    };
    const s = createServices(db, settings);
    for (const run of [1, 2]) {
      const t0 = process.hrtime.bigint();
      const verification = await s.audit.verifyChain();
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      console.log(
        `verifyAuditChain, run ${run}: ok=${verification.ok}, ${verification.eventsChecked} events in ${ms.toFixed(0)} ms (${Math.round((verification.eventsChecked / ms) * 1000)} events/s)`,
      );
    }
    let t0 = process.hrtime.bigint();
    await s.checkpoints.checkpoint();
    console.log(`first checkpoint (checks the whole chain): ${(Number(process.hrtime.bigint() - t0) / 1e6).toFixed(0)} ms`);
    const caller = { tokenId: 'bench', subject: 'bench', role: 'ADMIN' as never, requestId: 'bench' };
    for (let i = 0; i < 1000; i += 1) await s.models.create(caller, { name: `bench-${i}`, owner: 'bench' });
    t0 = process.hrtime.bigint();
    const checkpoint = await s.checkpoints.checkpoint();
    console.log(
      `next checkpoint after 1,000 more events (checks only those): ${(Number(process.hrtime.bigint() - t0) / 1e6).toFixed(0)} ms, at seq ${checkpoint?.seq}`,
    );
  } finally {
    await db.destroy();
    await bench.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
