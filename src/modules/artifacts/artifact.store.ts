import type { EntityManager } from 'typeorm';
import type { Caller } from '../../common/caller';
import { badInput, conflict } from '../../common/errors';
import { appendAudit } from '../audit';
import { ArtifactLayout, ArtifactStatus, type RegisteredManifest } from '../versions';
import type { ArtifactStore } from './artifact-store';
import { artifactKey, coldKey, fileKey, keyRefusal, referenceRefusal, storeKeyOf, type ArtifactPlace } from './artifact.rules';

/** The other versions of the model whose reference names `key` (only a model's own versions may name its keys). */
async function otherReferences(
  m: EntityManager,
  store: ArtifactStore,
  version: ArtifactPlace,
  key: string,
): Promise<Array<{ id: string; version: number }>> {
  const rows = (await m.query(
    `SELECT id, version, artifact_source_uri AS uri FROM model_versions
     WHERE model_id = $1 AND id <> $2 AND artifact_source_uri IS NOT NULL ORDER BY version`,
    [version.modelId, version.id],
  )) as Array<{ id: string; version: number; uri: string }>;
  return rows.filter((r) => store.keyOf(r.uri) === key);
}

/**
 * The key of a version's artifact when the registry may move or delete it: as storeKeyOf, and the only version that
 * names it (two rows from before the rule may share an object: moving it for one would take it from the other).
 * Otherwise why not.
 */
export async function ownedKey(
  m: EntityManager,
  store: ArtifactStore,
  version: ArtifactPlace,
): Promise<{ key: string; refusal: null } | { key: null; refusal: string }> {
  if (!version.artifactSourceUri) return { key: artifactKey(version.artifactStoragePath), refusal: null };
  const key = store.keyOf(version.artifactSourceUri);
  if (key === null) return { key: null, refusal: `${version.artifactSourceUri} is outside the registry's store` };
  const refusal = referenceRefusal(key, version.modelId);
  if (refusal) return { key: null, refusal };
  const others = await otherReferences(m, store, version, key);
  if (others.length)
    return {
      key: null,
      refusal: `${key} is also named by version ${others.map((o) => o.version).join(', ')}: an object belongs to one version`,
    };
  return { key, refusal: null };
}

/**
 * What an artifact job names as the version's artifact when the registry may move or delete it: a folder's storage
 * path (its files are the version's own uploads), or a single file's key as ownedKey answers it. Otherwise why not.
 */
export async function ownedRoot(
  m: EntityManager,
  store: ArtifactStore,
  version: ArtifactPlace,
): Promise<{ key: string; refusal: null } | { key: null; refusal: string }> {
  if (version.artifactLayout === ArtifactLayout.FOLDER) return { key: version.artifactStoragePath, refusal: null };
  return ownedKey(m, store, version);
}

/** One file of a version's artifact and where it is in the store. */
export interface PlacedFile {
  path: string;
  status: ArtifactStatus;
  key: string;
}

/**
 * The files of a version's artifact, in path order, with their keys: under the folder for a folder, `root` (the key
 * ownedRoot answered) for a single file.
 */
export async function placedFiles(m: EntityManager, version: ArtifactPlace, root: string): Promise<PlacedFile[]> {
  const rows = (await m.query(`SELECT path, status FROM artifact_files WHERE version_id = $1 ORDER BY path`, [version.id])) as Array<{
    path: string;
    status: ArtifactStatus;
  }>;
  const folder = version.artifactLayout === ArtifactLayout.FOLDER;
  return rows.map((r) => ({ ...r, key: folder ? fileKey(version.artifactStoragePath, r.path) : root }));
}

/**
 * Every key of the store a version holds: each file that is READY (or being uploaded) at its key, each COLD one at its
 * cold key; what sweepArtifacts keeps. A reference that breaks the rule holds nothing (storeKeyOf).
 */
export async function referencedKeys(m: EntityManager, store: ArtifactStore): Promise<Set<string>> {
  const rows = (await m.query(
    `SELECT v.id, v.model_id AS "modelId", v.artifact_storage_path AS "artifactStoragePath", v.artifact_source_uri AS "artifactSourceUri",
       v.artifact_layout AS "artifactLayout", f.path, f.status
     FROM artifact_files f JOIN model_versions v ON v.id = f.version_id
     WHERE f.status IN ('READY', 'COLD') OR f.upload_id IS NOT NULL`,
  )) as Array<ArtifactPlace & { path: string; status: string }>;
  const keys = new Set<string>();
  for (const r of rows) {
    const key = storeKeyOf(store, r, r.path);
    if (key) keys.add(r.status === ArtifactStatus.COLD ? coldKey(key) : key);
  }
  return keys;
}

/**
 * At registration, in its transaction: every file of a folder must have a key the store can keep, hot and cold (S3
 * keys are at most 1,024 bytes with the store's prefix); BAD_USER_INPUT naming the file otherwise.
 */
export function checkKeys(store: ArtifactStore, version: ArtifactPlace, manifest: RegisteredManifest): void {
  if (version.artifactLayout !== ArtifactLayout.FOLDER) return;
  manifest.files.forEach((file, i) => {
    const refusal = keyRefusal(fileKey(version.artifactStoragePath, file.path), store.maxKeyBytes);
    if (refusal) throw badInput(`artifact.files[${i}].path`, refusal);
  });
}

/**
 * At registration, in its transaction (the model's row is locked, so two registrations cannot both pass): a reference
 * into the store must name an object of the version's own model that no other version names. A reference outside
 * the store is the client's business: allowed, and never served, moved or deleted.
 */
export async function checkReference(m: EntityManager, store: ArtifactStore, version: ArtifactPlace): Promise<void> {
  if (!version.artifactSourceUri) return;
  const key = store.keyOf(version.artifactSourceUri);
  if (key === null) return;
  const refusal = referenceRefusal(key, version.modelId);
  if (refusal) throw badInput('artifact.uri', refusal);
  const [other] = await otherReferences(m, store, version, key);
  if (other)
    throw conflict(
      `version ${other.version} of this model already references ${store.uriOf(key)}: an object in the registry's store belongs to one version, ` +
        'so that moving or deleting it never touches another',
      { field: 'artifact.uri', versionId: other.id },
    );
}

/** What the artifact worker does with an object: copy it to cold storage (and remove the hot one), or delete it. */
export type ArtifactJobAction = 'MOVE_TO_COLD' | 'DELETE';

/**
 * Queues a version's object for the artifact worker, in the caller's transaction, with its audit event (a version
 * has at most one open job: queueing it again adds none). The worker checks that `key` is still the version's own object
 * (ownedKey) before it touches the store.
 */
export async function queueArtifactJob(
  m: EntityManager,
  caller: Caller,
  job: { versionId: string; version: number; modelId: string; action: ArtifactJobAction; key: string; reason: string },
): Promise<void> {
  await m.query(
    `INSERT INTO artifact_jobs (version_id, model_id, action, store_key, requested_by) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (version_id) WHERE done_at IS NULL DO NOTHING`,
    [job.versionId, job.modelId, job.action, job.key, caller.subject],
  );
  await appendAudit(m, caller, {
    action: job.action === 'DELETE' ? 'artifact.deletion_queued' : 'artifact.cold_storage_queued',
    subjectType: 'ModelVersion',
    subjectId: job.versionId,
    modelId: job.modelId,
    payload: { version: job.version, key: job.key, reason: job.reason },
  });
}
