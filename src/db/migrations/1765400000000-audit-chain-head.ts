import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 25 (promotions per second): `audit_chain_head(lock)` takes the audit chain's lock and then reads the chain's
 * head and its first unacknowledged break, in one round trip. Two statements are needed (a statement's snapshot is
 * taken before its lock is granted, so a head read in the locking statement could miss the previous holder's event);
 * a volatile plpgsql function takes a fresh snapshot for each statement inside it, so they travel together and the
 * lock is held one round trip less.
 */
export class AuditChainHead1765400000000 implements MigrationInterface {
  name = 'AuditChainHead1765400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION audit_chain_head(lock_key bigint, OUT seq bigint, OUT hash text, OUT broken_at bigint, OUT broken_reason text)
      LANGUAGE plpgsql VOLATILE AS $$
      BEGIN
        PERFORM pg_advisory_xact_lock(lock_key);
        SELECT e.seq, e.hash INTO seq, hash FROM audit_events e ORDER BY e.seq DESC LIMIT 1;
        SELECT b.seq, b.reason INTO broken_at, broken_reason FROM audit_chain_breaks b WHERE b.acknowledged_at IS NULL ORDER BY b.seq LIMIT 1;
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP FUNCTION audit_chain_head(bigint)');
  }
}
