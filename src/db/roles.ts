import type { DataSource } from 'typeorm';

/**
 * What the server's own login may do, granted by the owner after the migrations: read and write every
 * table, but only insert into and read the append-only ones (their comment says "append-only"), and
 * only read the migrations table. It owns nothing, so it cannot disable a trigger either.
 */
export async function grantServerRole(owner: DataSource, role: string): Promise<void> {
  const quoted = `"${role.replace(/"/g, '""')}"`;
  const appendOnly = (
    (await owner.query(
      `SELECT quote_ident(c.relname) AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = 'public' AND c.relkind = 'r' AND obj_description(c.oid, 'pg_class') LIKE 'append-only%'`,
    )) as Array<{ name: string }>
  ).map((r) => r.name);
  await owner.query(`GRANT USAGE ON SCHEMA public TO ${quoted}`);
  await owner.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${quoted}`);
  await owner.query(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${quoted}`);
  await owner.query(`REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON modelgraph_migrations FROM ${quoted}`);
  if (appendOnly.length) await owner.query(`REVOKE UPDATE, DELETE, TRUNCATE ON ${appendOnly.join(', ')} FROM ${quoted}`);
}

/**
 * Why the server's login could rewrite the audit trail, if it could: a superuser can switch triggers
 * off for its session, and a table's owner can disable them. Null when it can only append.
 */
export async function auditTrailExposure(db: DataSource): Promise<string | null> {
  const [row] = (await db.query(
    `SELECT r.rolsuper AS superuser, pg_get_userbyid(c.relowner) = current_user AS owner
     FROM pg_roles r, pg_class c WHERE r.rolname = current_user AND c.oid = 'audit_events'::regclass`,
  )) as Array<{ superuser: boolean; owner: boolean }>;
  if (row?.superuser) return 'the server connects as a superuser';
  if (row?.owner) return 'the server connects as the owner of the audit table';
  return null;
}
