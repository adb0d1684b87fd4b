import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every committed audit event is a lifecycle event. The trigger tells listening instances the newest
 * sequence number; PostgreSQL delivers a NOTIFY only when its transaction commits, so nothing uncommitted
 * is ever announced. The payload is only a number: events are read from the audit log itself, so the
 * notification size limit and a missed notification do not matter.
 */
export class Events1764550000000 implements MigrationInterface {
  name = 'Events1764550000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION modelgraph_notify_event() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('modelgraph_events', NEW.seq::text);
        RETURN NULL;
      END $$`);
    await q.query(
      `CREATE TRIGGER audit_events_notify AFTER INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION modelgraph_notify_event()`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TRIGGER audit_events_notify ON audit_events');
    await q.query('DROP FUNCTION modelgraph_notify_event()');
  }
}
