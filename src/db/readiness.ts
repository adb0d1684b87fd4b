import type { DataSource } from 'typeorm';

/** PostgreSQL's undefined_table. */
const UNDEFINED_TABLE = '42P01';

/**
 * The migrations this code knows that the database has not recorded, found by reading only. TypeORM's
 * showMigrations() creates the migrations table when it is missing: a readiness probe doing that during a
 * first start races the migration itself (two CREATE TABLEs) and can kill the start.
 */
export async function pendingMigrations(db: DataSource): Promise<string[]> {
  const table = db.options.migrationsTableName ?? 'migrations';
  let applied: Array<{ name: string }> = [];
  try {
    applied = (await db.query(`SELECT name FROM ${table}`)) as Array<{ name: string }>;
  } catch (err) {
    const code = (err as { driverError?: { code?: string } }).driverError?.code;
    if (code !== UNDEFINED_TABLE) throw err;
  }
  const done = new Set(applied.map((r) => r.name));
  return db.migrations.map((m) => m.name ?? m.constructor.name).filter((name) => !done.has(name));
}
