import fs from 'node:fs';
import type { EntityManager } from 'typeorm';
import type { ChainBreak } from './audit.rules';
import { checkpointVerifies, mayBelongTo, type RegistryIdentity, type SignedCheckpoint } from './checkpoint.rules';

export interface OpenBreak {
  seq: number;
  reason: string;
  detectedAt: Date;
}

export interface Acknowledgements {
  /** Sequence numbers of breaks an ADMIN has acknowledged: verification goes on past them. */
  seqs: Set<number>;
  /** When the latest acknowledgement was made: checkpoints signed before it describe the chain as it was. */
  latestAt: Date | null;
}

/** The sequence number of the chain's last event (0 for an empty chain). */
export async function chainHead(m: EntityManager): Promise<number> {
  const [{ head }] = (await m.query('SELECT COALESCE(max(seq), 0)::bigint::text AS head FROM audit_events')) as Array<{ head: string }>;
  return Number(head);
}

/** The break that stops writes, if any: found by a verification, not yet acknowledged by an ADMIN. */
export async function openBreak(m: EntityManager): Promise<OpenBreak | null> {
  const [row] = await m.query('SELECT seq, reason, detected_at FROM audit_chain_breaks WHERE acknowledged_at IS NULL ORDER BY seq LIMIT 1');
  return row ? { seq: Number(row.seq), reason: row.reason, detectedAt: row.detected_at } : null;
}

/** Records a break (once): from then on, appending to the chain is refused until an ADMIN acknowledges it. */
export async function recordBreak(m: EntityManager, found: ChainBreak): Promise<void> {
  await m.query(
    `INSERT INTO audit_chain_breaks (seq, reason) VALUES ($1, $2)
     ON CONFLICT (seq) WHERE acknowledged_at IS NULL DO NOTHING`,
    [found.seq, found.reason],
  );
}

export async function acknowledgements(m: EntityManager): Promise<Acknowledgements> {
  const rows = (await m.query('SELECT seq, acknowledged_at FROM audit_chain_breaks WHERE acknowledged_at IS NOT NULL')) as Array<{
    seq: string;
    acknowledged_at: Date;
  }>;
  const latestAt = rows.reduce<Date | null>((latest, r) => (!latest || r.acknowledged_at > latest ? r.acknowledged_at : latest), null);
  return { seqs: new Set(rows.map((r) => Number(r.seq))), latestAt };
}

/**
 * Which registry this database holds: the id of its first event, made with it and covered by its hash (an
 * earlier modelgraph's chain has one too, so nothing needs making for it).
 */
export async function registryIdentity(m: EntityManager): Promise<RegistryIdentity> {
  const [row] = (await m.query(
    `SELECT (SELECT id FROM audit_events WHERE seq = 1) AS id, EXISTS (SELECT 1 FROM audit_events) AS any`,
  )) as Array<{ id: string | null; any: boolean }>;
  return { id: row.id, empty: !row.any };
}

/**
 * The most recent checkpoint of this registry signed by the trusted key after `since`, from the database and
 * from the export file outside it, whichever is further along: a deleted checkpoint row still has its line.
 * Another registry's checkpoints are not compared with this one's chain (see foreignCheckpoints).
 */
export async function latestTrustedCheckpoint(
  m: EntityManager,
  trustedPublicKeyPem: string,
  exportFile: string | undefined,
  since: Date | null,
  registry: RegistryIdentity,
): Promise<SignedCheckpoint | null> {
  const rows = (await m.query(
    `SELECT registry_id, seq, hash, signed_at, key_fingerprint, public_key, signature FROM audit_checkpoints
     WHERE ($1::timestamptz IS NULL OR signed_at > $1) AND (registry_id IS NULL OR $2::uuid IS NULL OR registry_id = $2)
     ORDER BY seq DESC, id DESC LIMIT 20`,
    [since, registry.id],
  )) as Array<Record<string, unknown>>;
  const candidates = rows.map(toCheckpoint);
  const exported = exportFile ? lastExportedCheckpoint(exportFile) : null;
  if (exported && (!since || new Date(exported.signedAt) > since)) candidates.push(exported);
  return (
    candidates
      .filter((c) => mayBelongTo(c, registry) && checkpointVerifies(c, trustedPublicKeyPem))
      .sort((a, b) => b.seq - a.seq || b.signedAt.localeCompare(a.signedAt))[0] ?? null
  );
}

/** The last complete line of the export file, read from its end (the file only grows). */
export function lastExportedCheckpoint(file: string): SignedCheckpoint | null {
  if (!fs.existsSync(file)) return null;
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const length = Math.min(size, 64 * 1024);
    const buffer = Buffer.alloc(length);
    fs.readSync(fd, buffer, 0, length, size - length);
    const lines = buffer.toString('utf8').split('\n').filter(Boolean);
    for (let i = lines.length - 1; i >= 0; i -= 1) {
      try {
        return JSON.parse(lines[i]) as SignedCheckpoint;
      } catch {
        // a partial first line of the window, or a torn last write: try the one before
      }
    }
    return null;
  } finally {
    fs.closeSync(fd);
  }
}

/** The newest checkpoints in the database, newest first. */
export async function recentCheckpoints(m: EntityManager, limit: number): Promise<SignedCheckpoint[]> {
  const rows = (await m.query(
    `SELECT registry_id, seq, hash, signed_at, key_fingerprint, public_key, signature FROM audit_checkpoints
     ORDER BY seq DESC, id DESC LIMIT $1`,
    [limit],
  )) as Array<Record<string, unknown>>;
  return rows.map(toCheckpoint);
}

function toCheckpoint(r: Record<string, unknown>): SignedCheckpoint {
  return {
    ...(r.registry_id === null ? {} : { registryId: String(r.registry_id) }),
    seq: Number(r.seq),
    hash: String(r.hash),
    signedAt: (r.signed_at as Date).toISOString(),
    keyFingerprint: String(r.key_fingerprint),
    publicKey: String(r.public_key),
    signature: String(r.signature),
  };
}

export async function insertCheckpoint(m: EntityManager, checkpoint: SignedCheckpoint): Promise<void> {
  await m.query(
    `INSERT INTO audit_checkpoints (registry_id, seq, hash, signed_at, key_fingerprint, public_key, signature)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [
      checkpoint.registryId ?? null,
      checkpoint.seq,
      checkpoint.hash,
      checkpoint.signedAt,
      checkpoint.keyFingerprint,
      checkpoint.publicKey,
      checkpoint.signature,
    ],
  );
}
