import { createHash, randomUUID } from 'node:crypto';
import { Transform, Writable, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { DataSource, EntityManager } from 'typeorm';
import type { Caller } from '../../common/caller';
import { badInput, conflict, DomainError, ErrorCode, notFound } from '../../common/errors';
import { isUuid } from '../../common/uuid';
import { writeReturning } from '../../db/write';
import { Action, type AccessService } from '../access';
import { appendAudit } from '../audit';
import { ModelVersionEntity, ArtifactStatus, readVersion } from '../versions';
import type { ArtifactStore, ByteRange } from './artifact-store';
import { artifactKey, coldKey, storeKeyOf } from './artifact.rules';
import { ownedKey } from './artifact.store';

/** An upload that has not finished after this long is taken to have died: another may start. */
export const UPLOAD_LEASE_MS = 6 * 3600 * 1000;

export interface UploadDeclaration {
  /** From X-Artifact-Sha256, when the registration declared none. */
  sha256: string | null;
  /** From Content-Length, when the registration declared no size. */
  sizeBytes: number | null;
}

export interface Verification {
  versionId: string;
  verified: boolean;
  sha256: string | null;
  sizeBytes: number | null;
  detail: string;
  status: ArtifactStatus;
  checkedAt: Date;
}

/** Why a version's artifact must stay where it is now ("reason (reference)"), or null. */
export type ArtifactHold = (m: EntityManager, modelId: string, versionId: string) => Promise<string | null>;

/**
 * What keeps an artifact where it is: the checks a module above adds (retention's legal holds), asked before an
 * object moves to cold storage, is deleted or is restored. The first hold found is the answer.
 */
export class ArtifactHolds {
  private readonly checks: ArtifactHold[] = [];

  add(check: ArtifactHold): void {
    this.checks.push(check);
  }

  async on(m: EntityManager, modelId: string, versionId: string): Promise<string | null> {
    for (const check of this.checks) {
      const hold = await check(m, modelId, versionId);
      if (hold) return hold;
    }
    return null;
  }
}

/**
 * Artifacts in the registry's store: uploads streamed through a digest, downloads streamed out, verification of
 * stored bytes against the recorded digest, and restoring a cold artifact. Nothing holds an artifact in memory.
 */
export class ArtifactService {
  constructor(
    private readonly db: DataSource,
    private readonly access: AccessService,
    readonly store: ArtifactStore,
    private readonly maxBytes: number,
    /** What keeps an artifact in place; a module above adds to it (retention: legal holds). */
    readonly holds: ArtifactHolds,
  ) {}

  /**
   * PUT /artifacts/<versionId>: claims the version's upload (one at a time; CONFLICT when READY or another is
   * running), streams the body into the store while hashing it, and marks the version READY when digest and size
   * match what was declared — otherwise FAILED with the reason, and the object is removed.
   */
  async upload(caller: Caller, versionId: string, body: Readable, declared: UploadDeclaration): Promise<ModelVersionEntity> {
    const claim = randomUUID();
    const version = await this.claim(caller, versionId, claim, declared);
    const expected = { sha256: version.artifactSha256 ?? declared.sha256, size: numberOf(version.artifactSizeBytes) ?? declared.sizeBytes };
    if (!expected.sha256) {
      await this.release(versionId, claim);
      throw badInput(
        'x-artifact-sha256',
        'declare the artifact’s sha256: at registration (artifact.sha256) or in the X-Artifact-Sha256 header',
      );
    }
    const key = artifactKey(version.artifactStoragePath);
    const meter = new DigestMeter(Math.min(expected.size ?? this.maxBytes, this.maxBytes));
    let failure: string | null = null;
    // A client that goes away mid-upload ends the write with an error, not a short object.
    const broken = (err?: Error) => {
      if (!meter.destroyed && !meter.writableFinished) meter.destroy(err ?? new Error('the client went away'));
    };
    body.once('error', broken).once('aborted', broken);
    // The meter may refuse bytes before the store has started reading it: its error then reaches us as the
    // write's rejection (the store reads an errored stream), not as an unhandled event.
    meter.on('error', () => undefined);
    try {
      await this.store.write(key, body.pipe(meter));
    } catch (err) {
      failure = meter.refusal ?? `the upload broke off after ${meter.bytes} bytes (${(err as Error).message})`;
    }
    body.unpipe(meter);
    if (!failure && expected.size !== null && meter.bytes !== expected.size) {
      failure = `${meter.bytes} bytes arrived, ${expected.size} were declared`;
    }
    const sha256 = failure ? null : meter.digest();
    if (!failure && sha256 !== expected.sha256) failure = `the sha256 of what arrived is ${sha256}, ${expected.sha256} was declared`;
    if (failure) {
      await this.store.remove(key).catch(() => undefined);
      await this.finish(caller, versionId, claim, { failure });
      throw new DomainError(
        ErrorCode.BAD_USER_INPUT,
        `artifact refused: ${failure}; the version's artifact is FAILED and may be uploaded again`,
        {
          field: 'body',
        },
      );
    }
    return this.finish(caller, versionId, claim, { sha256: sha256 as string, size: meter.bytes });
  }

  /**
   * GET /artifacts/<versionId>: a READY artifact's bytes (or a range of them), with its digest. The answer is framed
   * by the object as stored (`length`, the bytes of `body`), and an object whose size is no longer the recorded one
   * is refused rather than served as if it were that artifact: verifyArtifact then checks it and marks it.
   */
  async download(caller: Caller, versionId: string, range: (size: number) => ByteRange | null | 'UNSATISFIABLE') {
    if (!isUuid(versionId)) throw notFound('model version', versionId);
    const version = await readVersion(this.db.manager, versionId);
    await this.access.authorize(this.db.manager, caller, Action.VIEW, version.modelId, notFound('model version', versionId));
    if (version.artifactStatus === ArtifactStatus.COLD)
      throw conflict('the artifact is in cold storage: restoreArtifact brings it back', { status: version.artifactStatus });
    if (version.artifactStatus !== ArtifactStatus.READY)
      throw conflict(`the artifact is ${version.artifactStatus}`, { status: version.artifactStatus });
    const key = storeKeyOf(this.store, version);
    if (!key) throw notFound('stored artifact', `${versionId} (registered by reference to ${version.artifactSourceUri}: ${NOT_OURS})`);
    const size = numberOf(version.artifactSizeBytes) as number;
    const wanted = range(size);
    if (wanted === 'UNSATISFIABLE') {
      const stored = await this.store.stat(key);
      if (!stored) throw notFound('stored artifact', `${versionId}: the store has no object at ${key}`);
      if (stored.size !== size) throw mismatch(stored.size, size);
      return { version, size, unsatisfiable: true as const };
    }
    const object = await this.store.read(key, wanted ?? undefined);
    if (!object) throw notFound('stored artifact', `${versionId}: the store has no object at ${key}`);
    if (object.total !== size) {
      object.body.destroy();
      throw mismatch(object.total, size);
    }
    return { version, size, range: wanted, length: object.size, body: object.body, unsatisfiable: false as const };
  }

  /**
   * verifyArtifact: reads the stored bytes again (an upload, or a reference that points into this store) and
   * compares them with the recorded digest and size. A mismatch or a missing object marks the artifact FAILED.
   */
  async verify(caller: Caller, versionId: string): Promise<Verification> {
    if (!isUuid(versionId)) throw notFound('model version', versionId);
    const version = await readVersion(this.db.manager, versionId);
    await this.access.authorize(this.db.manager, caller, Action.REGISTER_VERSION, version.modelId, notFound('model version', versionId));
    if (version.artifactStatus !== ArtifactStatus.READY && version.artifactStatus !== ArtifactStatus.FAILED) {
      throw conflict(`the artifact is ${version.artifactStatus}: only a READY or FAILED artifact is verified`, {
        status: version.artifactStatus,
      });
    }
    if (!version.artifactSha256) throw conflict('nothing to verify against: no sha256 was recorded', { status: version.artifactStatus });
    const key = storeKeyOf(this.store, version);
    if (!key)
      throw badInput(
        'versionId',
        `the artifact was registered by reference to ${version.artifactSourceUri}: ${NOT_OURS} (${this.store.description})`,
      );
    const object = await this.store.read(key);
    let detail: string;
    let sha256: string | null = null;
    let size: number | null = null;
    if (!object) detail = `no object at ${this.store.uriOf(key)}`;
    else {
      const meter = new DigestMeter(Number.MAX_SAFE_INTEGER);
      await pipeline(object.body, meter, new Writable({ write: (_chunk, _encoding, done) => done() }));
      sha256 = meter.digest();
      size = meter.bytes;
      const expectedSize = numberOf(version.artifactSizeBytes);
      detail =
        sha256 !== version.artifactSha256
          ? `the stored bytes hash to ${sha256}, ${version.artifactSha256} is recorded`
          : expectedSize !== null && size !== expectedSize
            ? `${size} bytes are stored, ${expectedSize} are recorded`
            : 'the stored bytes match the recorded sha256 and size';
    }
    const verified = sha256 === version.artifactSha256 && (numberOf(version.artifactSizeBytes) ?? size) === size;
    const after = await this.db.transaction(async (m) => {
      const [row] = await writeReturning(
        m,
        ModelVersionEntity,
        `UPDATE model_versions SET artifact_status = $2, artifact_failure_reason = $3, artifact_verified_at = CASE WHEN $4 THEN now() ELSE artifact_verified_at END
         WHERE id = $1 RETURNING *`,
        [versionId, verified ? ArtifactStatus.READY : ArtifactStatus.FAILED, verified ? null : detail, verified],
      );
      await appendAudit(m, caller, {
        action: verified ? 'artifact.verified' : 'artifact.verification_failed',
        subjectType: 'ModelVersion',
        subjectId: versionId,
        modelId: version.modelId,
        payload: { uri: this.store.uriOf(key), sha256, sizeBytes: size, detail, before: version.artifactStatus, after: row.artifactStatus },
      });
      return row;
    });
    return {
      versionId,
      verified,
      sha256,
      sizeBytes: size,
      detail,
      status: after.artifactStatus,
      checkedAt: after.artifactVerifiedAt ?? new Date(),
    };
  }

  /** restoreArtifact(versionId): a cold artifact copied back and READY again (MANAGE), audited; refused under legal hold. */
  async restore(caller: Caller, versionId: string): Promise<{ versionId: string; status: ArtifactStatus }> {
    if (!isUuid(versionId)) throw notFound('model version', versionId);
    const version = await readVersion(this.db.manager, versionId);
    await this.access.authorize(this.db.manager, caller, Action.RETIRE, version.modelId, notFound('model version', versionId));
    if (version.artifactStatus !== ArtifactStatus.COLD)
      throw conflict(`the artifact is ${version.artifactStatus}, not COLD`, { status: version.artifactStatus });
    const hold = await this.holds.on(this.db.manager, version.modelId, version.id);
    if (hold) throw conflict(`under legal hold: ${hold}; nothing of it moves`);
    // A row from before the reference rule could name another model's object: restoring would write over it.
    const { key, refusal } = await ownedKey(this.db.manager, this.store, version);
    if (key === null)
      throw conflict(`the artifact is not in the registry’s store as this version’s own object (${refusal}): nothing is restored`);
    const cold = await this.store.read(coldKey(key));
    if (!cold) throw conflict(`the cold copy is missing from ${this.store.description}`, { key: coldKey(key) });
    await this.store.write(key, cold.body);
    await this.db.transaction(async (m) => {
      const [rows] = await m.query(
        `UPDATE model_versions SET artifact_status = 'READY' WHERE id = $1 AND artifact_status = 'COLD' RETURNING id`,
        [versionId],
      );
      if (!rows.length) throw conflict('the artifact changed while it was being restored');
      await appendAudit(m, caller, {
        action: 'artifact.restored',
        subjectType: 'ModelVersion',
        subjectId: versionId,
        modelId: version.modelId,
        payload: { version: version.version, from: this.store.uriOf(coldKey(key)), to: this.store.uriOf(key) },
      });
    });
    await this.store.remove(coldKey(key));
    return { versionId, status: ArtifactStatus.READY };
  }

  private async claim(caller: Caller, versionId: string, claim: string, declared: UploadDeclaration): Promise<ModelVersionEntity> {
    if (!isUuid(versionId)) throw notFound('model version', versionId);
    return this.db.transaction(async (m) => {
      const version = await readVersion(m, versionId, 'FOR UPDATE');
      await this.access.authorize(m, caller, Action.REGISTER_VERSION, version.modelId, notFound('model version', versionId));
      if (version.artifactSourceUri)
        throw conflict(`the artifact was registered by reference (${version.artifactSourceUri}): there is nothing to upload`);
      if (version.artifactStatus === ArtifactStatus.READY)
        throw conflict('the artifact is already uploaded and READY: it cannot be replaced', { status: version.artifactStatus });
      if (version.artifactStatus !== ArtifactStatus.PENDING_UPLOAD && version.artifactStatus !== ArtifactStatus.FAILED) {
        throw conflict(`the artifact is ${version.artifactStatus}`, { status: version.artifactStatus });
      }
      if (declared.sha256 && version.artifactSha256 && declared.sha256 !== version.artifactSha256) {
        throw badInput('x-artifact-sha256', `differs from the sha256 declared at registration (${version.artifactSha256})`);
      }
      const size = numberOf(version.artifactSizeBytes) ?? declared.sizeBytes;
      if (size !== null && size > this.maxBytes) throw badInput('content-length', `an artifact is at most ${this.maxBytes} bytes here`);
      const [claimed] = await writeReturning(
        m,
        ModelVersionEntity,
        `UPDATE model_versions SET artifact_upload_id = $2, artifact_upload_started_at = now()
         WHERE id = $1 AND (artifact_upload_id IS NULL OR artifact_upload_started_at < now() - make_interval(secs => $3)) RETURNING *`,
        [versionId, claim, UPLOAD_LEASE_MS / 1000],
      );
      if (!claimed) throw conflict('another upload of this artifact is in progress', { status: version.artifactStatus });
      return claimed;
    });
  }

  /** Gives the claim up without a verdict (the request was refused before any byte was read). */
  private async release(versionId: string, claim: string): Promise<void> {
    await this.db.query(
      'UPDATE model_versions SET artifact_upload_id = NULL, artifact_upload_started_at = NULL WHERE id = $1 AND artifact_upload_id = $2',
      [versionId, claim],
    );
  }

  /** The upload's verdict, in one transaction with its audit event, if the claim is still ours. */
  private async finish(
    caller: Caller,
    versionId: string,
    claim: string,
    outcome: { sha256: string; size: number } | { failure: string },
  ): Promise<ModelVersionEntity> {
    return this.db.transaction(async (m: EntityManager) => {
      const ok = !('failure' in outcome);
      const [after] = await writeReturning(
        m,
        ModelVersionEntity,
        `UPDATE model_versions SET artifact_upload_id = NULL, artifact_upload_started_at = NULL, artifact_status = $3,
           artifact_sha256 = COALESCE($4, artifact_sha256), artifact_size_bytes = COALESCE($5, artifact_size_bytes),
           artifact_failure_reason = $6, artifact_verified_at = CASE WHEN $3 = 'READY' THEN now() ELSE artifact_verified_at END
         WHERE id = $1 AND artifact_upload_id = $2 RETURNING *`,
        [
          versionId,
          claim,
          ok ? ArtifactStatus.READY : ArtifactStatus.FAILED,
          ok ? outcome.sha256 : null,
          ok ? outcome.size : null,
          ok ? null : outcome.failure,
        ],
      );
      if (!after) throw conflict('the upload took longer than its lease and another took its place');
      await appendAudit(m, caller, {
        action: ok ? 'artifact.uploaded' : 'artifact.upload_failed',
        subjectType: 'ModelVersion',
        subjectId: versionId,
        modelId: after.modelId,
        payload: ok
          ? { uri: this.store.uriOf(artifactKey(after.artifactStoragePath)), sha256: outcome.sha256, sizeBytes: outcome.size }
          : { reason: outcome.failure },
      });
      return after;
    });
  }
}

const numberOf = (value: string | number | null): number | null => (value === null ? null : Number(value));

/** Why a reference is neither served nor verified: it is outside the store, or names what is not its model's. */
const NOT_OURS = "not an object of this model in the registry's store, so the registry does not serve or verify it";

const mismatch = (stored: number, recorded: number): DomainError =>
  conflict(
    `the stored object no longer matches its record: ${stored} bytes are stored, ${recorded} are recorded; it is not served (verifyArtifact checks it)`,
    { storedBytes: stored, recordedBytes: recorded },
  );

/** Counts and hashes what streams through; stops the stream at `limit` bytes. */
class DigestMeter extends Transform {
  bytes = 0;
  refusal: string | null = null;
  private readonly hash = createHash('sha256');

  constructor(private readonly limit: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.limit) {
      this.refusal = `more than the ${this.limit} bytes declared arrived`;
      callback(new Error(this.refusal));
      return;
    }
    this.hash.update(chunk);
    callback(null, chunk);
  }

  digest(): string {
    return this.hash.digest('hex');
  }
}
