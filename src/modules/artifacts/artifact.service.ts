import { createHash, randomUUID } from 'node:crypto';
import { Transform, Writable, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { DataSource, EntityManager } from 'typeorm';
import type { Caller } from '../../common/caller';
import { TransactionHooks } from '../../common/hooks';
import { badInput, conflict, DomainError, ErrorCode, notFound } from '../../common/errors';
import { isUuid } from '../../common/uuid';
import { hydrate } from '../../db/hydrate';
import { writeReturning } from '../../db/write';
import { Action, type AccessService } from '../access';
import { appendAudit } from '../audit';
import {
  ArtifactFileEntity,
  ArtifactLayout,
  ArtifactStatus,
  manifestStatus,
  ModelVersionEntity,
  normalisePath,
  readVersion,
  rootDigest,
} from '../versions';
import type { ArtifactStore, ByteRange } from './artifact-store';
import { coldKey, fileKey, STORE_RETRY_AFTER_SECONDS, storeKeyOf, storeUnavailability } from './artifact.rules';
import { ownedRoot, placedFiles } from './artifact.store';
import { ArtifactTaps, type OpenTaps, type TapOutcome, type UploadedFile } from './artifact.taps';

/** An upload that has not finished after this long is taken to have died: another may start. */
export const UPLOAD_LEASE_MS = 6 * 3600 * 1000;
/** A verification answers at most this many of the files that did not match (each file's verdict is on the file). */
export const MAX_REPORTED_FAILURES = 500;

export interface UploadDeclaration {
  /** From X-Artifact-Sha256, when the registration declared none. */
  sha256: string | null;
  /** From Content-Length, when the registration declared no size. */
  sizeBytes: number | null;
}

/** One file read again and compared with its record. */
export interface FileVerification {
  path: string;
  verified: boolean;
  sha256: string | null;
  sizeBytes: number | null;
  detail: string;
}

export interface Verification {
  versionId: string;
  verified: boolean;
  /** A folder's: the root digest of what is stored, when every file is. */
  sha256: string | null;
  sizeBytes: number | null;
  detail: string;
  status: ArtifactStatus;
  checkedAt: Date;
  filesChecked: number;
  filesFailed: number;
  /** The files that did not match, in path order (at most MAX_REPORTED_FAILURES). */
  failures: FileVerification[];
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

/** The file an upload or a download is for: one of the version's, by path, or its only one. */
export interface ArtifactFileOf {
  version: ModelVersionEntity;
  file: ArtifactFileEntity;
}

/**
 * Artifacts in the registry's store, file by file (a single-file artifact is a folder of one): uploads streamed
 * through a digest (and the taps added to `taps`), downloads streamed out, verification of stored bytes against
 * the recorded digests, and restoring a cold artifact. Nothing holds an artifact in memory.
 */
export class ArtifactService {
  /** Taps on uploads (the scanner's): every uploaded file's bytes as they stream in. See artifact.taps.ts. */
  readonly taps = new ArtifactTaps();
  /**
   * Run in the transaction that records an uploaded file READY, after the file, its version and its audit event
   * (artifact.uploaded) are written, with what the taps made of its bytes. A hook that throws refuses the file: it is then
   * FAILED with that reason and its object removed.
   */
  readonly fileUploaded = new TransactionHooks<[Caller, UploadedFile, TapOutcome[]]>();

  constructor(
    private readonly db: DataSource,
    private readonly access: AccessService,
    readonly store: ArtifactStore,
    private readonly maxBytes: number,
    /** What keeps an artifact in place; a module above adds to it (retention: legal holds). */
    readonly holds: ArtifactHolds,
  ) {}

  /**
   * PUT /artifacts/<versionId>[/<path>]: claims the file's upload (one at a time per file; CONFLICT when it is READY
   * or another upload of it is running), streams the body into the store while hashing it, and records the file
   * READY when digest and size match what was declared — otherwise FAILED with the reason, and the object is
   * removed. The artifact is READY once every file is. `path` null: the artifact's only file.
   */
  async upload(
    caller: Caller,
    versionId: string,
    body: Readable,
    declared: UploadDeclaration,
    path: string | null = null,
  ): Promise<ArtifactFileOf> {
    const claim = randomUUID();
    const { version, file } = await this.claim(caller, versionId, path, claim, declared);
    const folder = version.artifactLayout === ArtifactLayout.FOLDER;
    const expected = { sha256: file.sha256 ?? declared.sha256, size: numberOf(file.sizeBytes) ?? declared.sizeBytes };
    if (!expected.sha256) {
      await this.release(versionId, file.path, claim);
      throw badInput(
        'x-artifact-sha256',
        folder
          ? `declare the sha256 of ${file.path}: at registration (artifact.files[].sha256) or in the X-Artifact-Sha256 header`
          : 'declare the artifact’s sha256: at registration (artifact.sha256) or in the X-Artifact-Sha256 header',
      );
    }
    const key = fileKey(version.artifactStoragePath, file.path);
    const taps = this.taps.open({
      versionId,
      modelId: version.modelId,
      path: file.path,
      sizeBytes: expected.size,
      format: version.artifactFormat,
    });
    const meter = new DigestMeter(Math.min(expected.size ?? this.maxBytes, this.maxBytes), taps);
    let failure: string | null = null;
    /** The store could not take the bytes (full, down): not the upload's fault, so 503 rather than 400. */
    let storeDown: string | null = null;
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
      storeDown = meter.refusal ? null : storeUnavailability(err);
      failure =
        meter.refusal ??
        (storeDown
          ? `the store could not take it: ${storeDown}`
          : `the upload broke off after ${meter.bytes} bytes (${(err as Error).message})`);
    }
    body.unpipe(meter);
    if (!failure && expected.size !== null && meter.bytes !== expected.size) {
      failure = `${meter.bytes} bytes arrived, ${expected.size} were declared`;
    }
    const sha256 = failure ? null : meter.digest();
    if (!failure && sha256 !== expected.sha256) failure = `the sha256 of what arrived is ${sha256}, ${expected.sha256} was declared`;
    if (failure) {
      taps?.abort(failure);
      await this.refuse(caller, version, file.path, claim, key, failure);
      if (storeDown)
        throw new DomainError(
          ErrorCode.UNAVAILABLE,
          `the artifact store cannot take ${folder ? file.path : 'the artifact'} now (${storeDown}): nothing of it was kept, and it may be uploaded again later`,
          { retryAfterSeconds: STORE_RETRY_AFTER_SECONDS },
        );
      throw new DomainError(
        ErrorCode.BAD_USER_INPUT,
        folder
          ? `${file.path} refused: ${failure}; the file is FAILED and may be uploaded again`
          : `artifact refused: ${failure}; the version's artifact is FAILED and may be uploaded again`,
        { field: 'body' },
      );
    }
    const outcomes = taps ? await taps.end() : [];
    try {
      return await this.finish(caller, version, file.path, claim, { sha256: sha256 as string, size: meter.bytes }, outcomes);
    } catch (err) {
      // Another upload took the file over: the object is its now. Otherwise (a hook refused the file, or recording it
      // failed) nothing of this upload is kept and the file says why.
      if (!(err instanceof LeaseLost)) {
        await this.refuse(caller, version, file.path, claim, key, `not recorded: ${(err as Error).message}`.slice(0, 2000)).catch(
          () => undefined,
        );
      }
      throw err;
    }
  }

  /**
   * GET /artifacts/<versionId>[/<path>]: a file of a READY artifact (or a range of it), with its digest. The answer is
   * framed by the object as stored (`length`, the bytes of `body`), and an object whose size is no longer the
   * recorded one is refused rather than served as if it were that file: verifyArtifact then checks it and marks it.
   */
  async download(
    caller: Caller,
    versionId: string,
    range: (size: number) => ByteRange | null | 'UNSATISFIABLE',
    path: string | null = null,
  ) {
    if (!isUuid(versionId)) throw notFound('model version', versionId);
    const version = await readVersion(this.db.manager, versionId);
    await this.access.authorize(this.db.manager, caller, Action.VIEW, version.modelId, notFound('model version', versionId));
    if (version.artifactStatus === ArtifactStatus.COLD)
      throw conflict('the artifact is in cold storage: restoreArtifact brings it back', { status: version.artifactStatus });
    if (version.artifactStatus !== ArtifactStatus.READY)
      throw conflict(`the artifact is ${version.artifactStatus}`, { status: version.artifactStatus });
    const file = await this.fileOf(this.db.manager, version, path);
    if (file.status === ArtifactStatus.COLD)
      throw conflict(`${file.path} is in cold storage: restoreArtifact brings it back`, { status: file.status, path: file.path });
    if (file.status !== ArtifactStatus.READY) throw conflict(`${file.path} is ${file.status}`, { status: file.status, path: file.path });
    const key = storeKeyOf(this.store, version, file.path);
    if (!key) throw notFound('stored artifact', `${versionId} (registered by reference to ${version.artifactSourceUri}: ${NOT_OURS})`);
    const size = numberOf(file.sizeBytes) as number;
    const wanted = range(size);
    if (wanted === 'UNSATISFIABLE') {
      const stored = await this.store.stat(key);
      if (!stored) throw notFound('stored artifact', `${versionId}: the store has no object at ${key}`);
      if (stored.size !== size) throw mismatch(stored.size, size);
      return { version, file, size, unsatisfiable: true as const };
    }
    const object = await this.store.read(key, wanted ?? undefined);
    if (!object) throw notFound('stored artifact', `${versionId}: the store has no object at ${key}`);
    if (object.total !== size) {
      object.body.destroy();
      throw mismatch(object.total, size);
    }
    return { version, file, size, range: wanted, length: object.size, body: object.body, unsatisfiable: false as const };
  }

  /**
   * verifyArtifact: reads every stored file again (of an upload, or of a reference that points into this store) and
   * compares it with its recorded digest and size. A file that does not match, or is missing, is marked FAILED, and
   * so is the artifact; one that matches is READY again. Files not uploaded yet are left as they are.
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
    const folder = version.artifactLayout === ArtifactLayout.FOLDER;
    if (!folder && !version.artifactSha256)
      throw conflict('nothing to verify against: no sha256 was recorded', { status: version.artifactStatus });
    if (!storeKeyOf(this.store, version))
      throw badInput(
        'versionId',
        `the artifact was registered by reference to ${version.artifactSourceUri}: ${NOT_OURS} (${this.store.description})`,
      );
    const files = (await this.db.query(
      `SELECT path, size_bytes AS "sizeBytes", sha256, status FROM artifact_files WHERE version_id = $1 ORDER BY path`,
      [versionId],
    )) as Array<{ path: string; sizeBytes: string | null; sha256: string | null; status: ArtifactStatus }>;
    const checks: Array<FileVerification & { status: ArtifactStatus; checked: boolean }> = [];
    for (const file of files) {
      if (!file.sha256) {
        checks.push({ ...unverified(file.path, 'no sha256 is recorded: it was never uploaded'), status: file.status, checked: false });
        continue;
      }
      const check = await checkStored(
        this.store,
        storeKeyOf(this.store, version, file.path) as string,
        file.sha256,
        numberOf(file.sizeBytes),
      );
      checks.push({ path: file.path, ...check, status: check.verified ? ArtifactStatus.READY : ArtifactStatus.FAILED, checked: true });
    }
    const failed = checks.filter((c) => !c.verified);
    const verified = failed.length === 0;
    const counts: Partial<Record<ArtifactStatus, number>> = {};
    for (const c of checks) counts[c.status] = (counts[c.status] ?? 0) + 1;
    const stored = checks.every((c) => c.sha256 !== null);
    const sha256 = !stored
      ? null
      : folder
        ? rootDigest(checks.map((c) => ({ path: c.path, sha256: c.sha256 as string })))
        : checks[0].sha256;
    const sizeBytes = stored ? checks.reduce((total, c) => total + (c.sizeBytes ?? 0), 0) : null;
    const detail = !folder
      ? checks[0].detail
      : verified
        ? `all ${checks.length} files match their recorded sha256 and size`
        : `${failed.length} of ${checks.length} files do not match: ${failed[0].path}: ${failed[0].detail}${failed.length > 1 ? '; …' : ''}`;
    const checked = checks.filter((c) => c.checked);
    const after = await this.db.transaction(async (m) => {
      await m.query(
        `UPDATE artifact_files f SET status = c.status, failure_reason = c.reason, verified_at = CASE WHEN c.ok THEN now() ELSE f.verified_at END
         FROM unnest($2::text[], $3::text[], $4::text[], $5::bool[]) AS c(path, status, reason, ok)
         WHERE f.version_id = $1 AND f.path = c.path`,
        [
          versionId,
          checked.map((c) => c.path),
          checked.map((c) => c.status),
          checked.map((c) => (c.verified ? null : c.detail.slice(0, 2000))),
          checked.map((c) => c.verified),
        ],
      );
      const [row] = await writeReturning(
        m,
        ModelVersionEntity,
        `UPDATE model_versions SET artifact_status = $2, artifact_failure_reason = $3, artifact_verified_at = CASE WHEN $4 THEN now() ELSE artifact_verified_at END
         WHERE id = $1 RETURNING *`,
        [versionId, manifestStatus(counts), verified ? null : detail.slice(0, 2000), verified],
      );
      await appendAudit(m, caller, {
        action: verified ? 'artifact.verified' : 'artifact.verification_failed',
        subjectType: 'ModelVersion',
        subjectId: versionId,
        modelId: version.modelId,
        payload: {
          uri: this.store.uriOf(folder ? version.artifactStoragePath : (storeKeyOf(this.store, version) as string)),
          sha256,
          sizeBytes,
          detail,
          before: version.artifactStatus,
          after: row.artifactStatus,
          ...(folder
            ? {
                files: checks.length,
                failures: failed.slice(0, MAX_REPORTED_FAILURES).map((f) => ({ path: f.path, detail: f.detail })),
              }
            : {}),
        },
      });
      return row;
    });
    return {
      versionId,
      verified,
      sha256,
      sizeBytes,
      detail,
      status: after.artifactStatus,
      checkedAt: after.artifactVerifiedAt ?? new Date(),
      filesChecked: checks.length,
      filesFailed: failed.length,
      failures: failed.slice(0, MAX_REPORTED_FAILURES).map(({ path, verified, sha256, sizeBytes, detail }) => ({
        path,
        verified,
        sha256,
        sizeBytes,
        detail,
      })),
    };
  }

  /**
   * restoreArtifact(versionId): a cold artifact copied back, file by file, and READY again (MANAGE), audited;
   * refused under legal hold. An interrupted restore is taken up again where it stopped.
   */
  async restore(caller: Caller, versionId: string): Promise<{ versionId: string; status: ArtifactStatus }> {
    if (!isUuid(versionId)) throw notFound('model version', versionId);
    const version = await readVersion(this.db.manager, versionId);
    await this.access.authorize(this.db.manager, caller, Action.RETIRE, version.modelId, notFound('model version', versionId));
    if (version.artifactStatus !== ArtifactStatus.COLD)
      throw conflict(`the artifact is ${version.artifactStatus}, not COLD`, { status: version.artifactStatus });
    const hold = await this.holds.on(this.db.manager, version.modelId, version.id);
    if (hold) throw conflict(`under legal hold: ${hold}; nothing of it moves`);
    // A row from before the reference rule could name another model's object: restoring would write over it.
    const { key, refusal } = await ownedRoot(this.db.manager, this.store, version);
    if (key === null)
      throw conflict(`the artifact is not in the registry’s store as this version’s own object (${refusal}): nothing is restored`);
    const files = await placedFiles(this.db.manager, version, key);
    for (const file of files) {
      if (file.status !== ArtifactStatus.COLD) continue; // restored before an interruption
      const cold = await this.store.read(coldKey(file.key));
      if (!cold) throw conflict(`the cold copy is missing from ${this.store.description}`, { key: coldKey(file.key) });
      await this.store.write(file.key, cold.body);
      await this.db.query(`UPDATE artifact_files SET status = 'READY' WHERE version_id = $1 AND path = $2 AND status = 'COLD'`, [
        versionId,
        file.path,
      ]);
    }
    const folder = version.artifactLayout === ArtifactLayout.FOLDER;
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
        payload: {
          version: version.version,
          from: this.store.uriOf(coldKey(key)),
          to: this.store.uriOf(key),
          ...(folder ? { files: files.length } : {}),
        },
      });
    });
    for (const file of files) await this.store.remove(coldKey(file.key));
    return { versionId, status: ArtifactStatus.READY };
  }

  /**
   * The file of a version that `path` names (normalised as at registration), or its only file when `path` is null;
   * BAD_USER_INPUT when a folder of several is asked for as one, NOT_FOUND when the manifest has no such file.
   */
  private async fileOf(m: EntityManager, version: ModelVersionEntity, path: string | null, lock = ''): Promise<ArtifactFileEntity> {
    if (path === null) {
      const rows = await m.query(`SELECT * FROM artifact_files WHERE version_id = $1 ORDER BY path LIMIT 2 ${lock}`, [version.id]);
      if (rows.length !== 1)
        throw badInput(
          'path',
          `the artifact is a folder of several files: name one, /artifacts/${version.id}/<path> (Artifact.files lists them)`,
        );
      return hydrate(m, ArtifactFileEntity, rows[0]);
    }
    const normal = normalisePath(path, 'path');
    const [row] = await m.query(`SELECT * FROM artifact_files WHERE version_id = $1 AND path = $2 ${lock}`, [version.id, normal]);
    if (!row) throw notFound('file', `${normal} in the artifact of version ${version.version}`);
    return hydrate(m, ArtifactFileEntity, row);
  }

  private async claim(
    caller: Caller,
    versionId: string,
    path: string | null,
    claim: string,
    declared: UploadDeclaration,
  ): Promise<ArtifactFileOf> {
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
      const file = await this.fileOf(m, version, path, 'FOR UPDATE');
      const folder = version.artifactLayout === ArtifactLayout.FOLDER;
      if (file.status === ArtifactStatus.READY)
        throw conflict(`${file.path} is already uploaded and READY: it cannot be replaced`, { status: file.status, path: file.path });
      if (declared.sha256 && file.sha256 && declared.sha256 !== file.sha256) {
        throw badInput('x-artifact-sha256', `differs from the sha256 declared at registration (${file.sha256})`);
      }
      const size = numberOf(file.sizeBytes) ?? declared.sizeBytes;
      if (size !== null && size > this.maxBytes)
        throw badInput('content-length', `${folder ? 'a file' : 'an artifact'} is at most ${this.maxBytes} bytes here`);
      const [claimed] = await writeReturning(
        m,
        ArtifactFileEntity,
        `UPDATE artifact_files SET upload_id = $3, upload_started_at = now()
         WHERE version_id = $1 AND path = $2 AND (upload_id IS NULL OR upload_started_at < now() - make_interval(secs => $4)) RETURNING *`,
        [versionId, file.path, claim, UPLOAD_LEASE_MS / 1000],
      );
      if (!claimed)
        throw conflict(folder ? `another upload of ${file.path} is in progress` : 'another upload of this artifact is in progress', {
          status: version.artifactStatus,
        });
      return { version, file: claimed };
    });
  }

  /** Gives the claim up without a verdict (the request was refused before any byte was read). */
  private async release(versionId: string, path: string, claim: string): Promise<void> {
    await this.db.query(
      'UPDATE artifact_files SET upload_id = NULL, upload_started_at = NULL WHERE version_id = $1 AND path = $2 AND upload_id = $3',
      [versionId, path, claim],
    );
  }

  /** An upload refused: its object removed, the file FAILED with the reason (if the claim is still ours). */
  private async refuse(caller: Caller, version: ModelVersionEntity, path: string, claim: string, key: string, failure: string) {
    await this.store.remove(key).catch(() => undefined);
    await this.finish(caller, version, path, claim, { failure }, []);
  }

  /**
   * The upload's verdict on its file and what follows for the artifact, in one transaction with its audit event, if
   * the claim is still ours. The version's row is locked first, so that the last two files of a folder recorded at
   * once cannot each miss the other: whichever records second sees every file and makes the artifact READY.
   */
  private async finish(
    caller: Caller,
    version: ModelVersionEntity,
    path: string,
    claim: string,
    outcome: { sha256: string; size: number } | { failure: string },
    tapped: TapOutcome[],
  ): Promise<ArtifactFileOf> {
    return this.db.transaction(async (m: EntityManager) => {
      const ok = !('failure' in outcome);
      await m.query('SELECT id FROM model_versions WHERE id = $1 FOR UPDATE', [version.id]);
      const [file] = await writeReturning(
        m,
        ArtifactFileEntity,
        `UPDATE artifact_files SET upload_id = NULL, upload_started_at = NULL, status = $4, sha256 = COALESCE($5, sha256),
           size_bytes = COALESCE($6, size_bytes), failure_reason = $7, verified_at = CASE WHEN $4 = 'READY' THEN now() ELSE verified_at END
         WHERE version_id = $1 AND path = $2 AND upload_id = $3 RETURNING *`,
        [
          version.id,
          path,
          claim,
          ok ? ArtifactStatus.READY : ArtifactStatus.FAILED,
          ok ? outcome.sha256 : null,
          ok ? outcome.size : null,
          ok ? null : outcome.failure,
        ],
      );
      if (!file) throw new LeaseLost();
      const after = await this.settle(m, version);
      await appendAudit(m, caller, {
        action: ok ? 'artifact.uploaded' : 'artifact.upload_failed',
        subjectType: 'ModelVersion',
        subjectId: version.id,
        modelId: after.modelId,
        payload: ok
          ? {
              path,
              uri: this.store.uriOf(fileKey(after.artifactStoragePath, path)),
              sha256: outcome.sha256,
              sizeBytes: outcome.size,
              artifactStatus: after.artifactStatus,
              ...(after.artifactStatus === ArtifactStatus.READY ? { artifactSha256: after.artifactSha256 } : {}),
            }
          : { path, reason: outcome.failure, artifactStatus: after.artifactStatus },
      });
      // After the file's own event, so that what a hook appends (artifact.scanned) follows artifact.uploaded.
      if (ok) {
        await this.fileUploaded.run(
          m,
          caller,
          {
            versionId: version.id,
            modelId: version.modelId,
            path,
            format: version.artifactFormat,
            sha256: outcome.sha256,
            sizeBytes: outcome.size,
            artifactStatus: after.artifactStatus,
          },
          tapped,
        );
      }
      return { version: after, file };
    });
  }

  /**
   * The artifact's status, digest, size and failure from its files', after one changed: READY with its sha256 (a
   * folder's root digest) once every file is, FAILED naming the first file that failed, PENDING_UPLOAD otherwise.
   */
  private async settle(m: EntityManager, version: ModelVersionEntity): Promise<ModelVersionEntity> {
    const rows = (await m.query(
      `SELECT status, count(*)::int AS n, min(path) FILTER (WHERE status = 'FAILED') AS failed_path FROM artifact_files
       WHERE version_id = $1 GROUP BY status`,
      [version.id],
    )) as Array<{ status: ArtifactStatus; n: number; failed_path: string | null }>;
    const counts = Object.fromEntries(rows.map((r) => [r.status, r.n])) as Partial<Record<ArtifactStatus, number>>;
    const status = manifestStatus(counts);
    const folder = version.artifactLayout === ArtifactLayout.FOLDER;
    let sha256: string | null = null;
    let size: number | null = null;
    let reason: string | null = null;
    if (status === ArtifactStatus.READY) {
      const files = (await m.query(`SELECT path, sha256, size_bytes FROM artifact_files WHERE version_id = $1`, [version.id])) as Array<{
        path: string;
        sha256: string;
        size_bytes: string;
      }>;
      sha256 = folder ? rootDigest(files) : files[0].sha256;
      size = files.reduce((total, f) => total + Number(f.size_bytes), 0);
    } else if (status === ArtifactStatus.FAILED) {
      const path = rows.find((r) => r.status === ArtifactStatus.FAILED)?.failed_path as string;
      const [{ failure_reason: why }] = await m.query(`SELECT failure_reason FROM artifact_files WHERE version_id = $1 AND path = $2`, [
        version.id,
        path,
      ]);
      const others = (counts[ArtifactStatus.FAILED] ?? 1) - 1;
      reason = (folder ? `${path}: ${why}${others ? ` (and ${others} more file${others > 1 ? 's' : ''})` : ''}` : String(why)).slice(
        0,
        2000,
      );
    }
    const [after] = await writeReturning(
      m,
      ModelVersionEntity,
      `UPDATE model_versions SET artifact_status = $2, artifact_sha256 = COALESCE($3, artifact_sha256),
         artifact_size_bytes = COALESCE($4, artifact_size_bytes), artifact_failure_reason = $5,
         artifact_verified_at = CASE WHEN $2 = 'READY' THEN now() ELSE artifact_verified_at END
       WHERE id = $1 RETURNING *`,
      [version.id, status, sha256, size, reason],
    );
    return after;
  }
}

/** The upload's claim on its file ran out and another upload took it. */
class LeaseLost extends DomainError {
  constructor() {
    super(ErrorCode.CONFLICT, 'the upload took longer than its lease and another took its place');
  }
}

const numberOf = (value: string | number | null): number | null => (value === null ? null : Number(value));

const unverified = (path: string, detail: string): FileVerification => ({ path, verified: false, sha256: null, sizeBytes: null, detail });

/** Why a reference is neither served nor verified: it is outside the store, or names what is not its model's. */
const NOT_OURS = "not an object of this model in the registry's store, so the registry does not serve or verify it";

const mismatch = (stored: number, recorded: number): DomainError =>
  conflict(
    `the stored object no longer matches its record: ${stored} bytes are stored, ${recorded} are recorded; it is not served (verifyArtifact checks it)`,
    { storedBytes: stored, recordedBytes: recorded },
  );

/**
 * Counts and hashes what streams through, and hands each chunk to the upload's taps; stops the stream at `limit`
 * bytes. A tap that asks to be waited for holds the stream back (backpressure), never the other way round.
 */
class DigestMeter extends Transform {
  bytes = 0;
  refusal: string | null = null;
  private readonly hash = createHash('sha256');

  constructor(
    private readonly limit: number,
    private readonly taps: OpenTaps | null = null,
  ) {
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
    const pending = this.taps?.write(chunk);
    if (pending) pending.then(() => callback(null, chunk), callback);
    else callback(null, chunk);
  }

  digest(): string {
    return this.hash.digest('hex');
  }
}

/** Reads `key` again and compares it with `sha256` and `size`: the verdict, what was found, and why. */
async function checkStored(
  store: ArtifactStore,
  key: string,
  recordedSha256: string,
  recordedSize: number | null,
): Promise<{ verified: boolean; sha256: string | null; sizeBytes: number | null; detail: string }> {
  const object = await store.read(key);
  if (!object) return { verified: false, sha256: null, sizeBytes: null, detail: `no object at ${store.uriOf(key)}` };
  const meter = new DigestMeter(Number.MAX_SAFE_INTEGER);
  await pipeline(object.body, meter, new Writable({ write: (_chunk, _encoding, done) => done() }));
  const sha256 = meter.digest();
  const size = meter.bytes;
  const detail =
    sha256 !== recordedSha256
      ? `the stored bytes hash to ${sha256}, ${recordedSha256} is recorded`
      : recordedSize !== null && size !== recordedSize
        ? `${size} bytes are stored, ${recordedSize} are recorded`
        : 'the stored bytes match the recorded sha256 and size';
  return { verified: sha256 === recordedSha256 && (recordedSize ?? size) === size, sha256, sizeBytes: size, detail };
}
