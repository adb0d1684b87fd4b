import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { Caller } from '../../common/caller';
import type { BackgroundJob } from '../../common/module';
import { Role } from '../../common/role';
import { appendAudit } from '../audit';
import { ArtifactLayout } from '../versions';
import type { ArtifactStore } from './artifact-store';
import { coldKey, retryDelayMs, type ArtifactPlace } from './artifact.rules';
import type { ArtifactHolds } from './artifact.service';
import { ownedRoot, placedFiles, type ArtifactJobAction } from './artifact.store';

interface Job {
  id: string;
  version_id: string;
  model_id: string;
  action: ArtifactJobAction;
  store_key: string;
  attempts: number;
}

/** How long a claimed job is this worker's; after a crash, another instance takes it once the lease runs out. */
export const JOB_LEASE_MS = 5 * 60 * 1000;
const BATCH = 10;
const IDLE_MS = 2000;

// Its audit events name it as they always have: retention's system actor (retention queues what it carries out).
const WORKER: Caller = { tokenId: 'system', subject: 'system:retention', role: Role.ADMIN, requestId: 'artifact-worker' };

/**
 * Carries out the artifact jobs queued by queueArtifactJob (retention queues them), on every instance: jobs are
 * claimed with FOR UPDATE SKIP LOCKED under a lease, retried with backoff, and postponed while under a hold
 * (retention's legal holds). A job moves or deletes every file of the version's artifact (a folder's, or its one
 * object), each store step first and recorded after, and the store steps are idempotent, so a crash between the two
 * redoes the step and records it once: nothing lost, nothing twice. A cold move removes a hot object only after
 * recording its file COLD; the artifact is COLD (or DELETED) once every file is, in the job's last transaction.
 */
export class ArtifactWorker implements BackgroundJob {
  readonly name = 'artifact-worker';
  private running = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;

  constructor(
    private readonly db: DataSource,
    private readonly store: ArtifactStore,
    private readonly holds: ArtifactHolds,
  ) {}

  async start(): Promise<void> {
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        const done = await this.runOnce().catch(() => 0);
        if (done === 0 && this.running) {
          // Idle until the next round or until stop() wakes it; woken, its timer goes too (none is left running).
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, IDLE_MS);
            this.wake = () => (clearTimeout(timer), resolve());
          });
        }
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  /** Claims and carries out the jobs due now; answers how many it finished. */
  async runOnce(): Promise<number> {
    const [jobs] = (await this.db.query(
      `UPDATE artifact_jobs SET lease_until = now() + make_interval(secs => $1), attempts = attempts + 1
       WHERE id IN (SELECT id FROM artifact_jobs WHERE done_at IS NULL AND next_attempt_at <= now() AND (lease_until IS NULL OR lease_until < now())
                    ORDER BY next_attempt_at LIMIT $2 FOR UPDATE SKIP LOCKED)
       RETURNING id, version_id, model_id, action, store_key, attempts`,
      [JOB_LEASE_MS / 1000, BATCH],
    )) as [Job[], number];
    let done = 0;
    for (const job of jobs) {
      try {
        if (await this.carryOut(job)) done += 1;
      } catch (err) {
        await this.db.query(
          `UPDATE artifact_jobs SET lease_until = NULL, last_error = $2, next_attempt_at = now() + make_interval(secs => $3) WHERE id = $1`,
          [job.id, String((err as Error).message ?? err).slice(0, 2000), retryDelayMs(job.attempts) / 1000],
        );
      }
    }
    return done;
  }

  private async carryOut(job: Job): Promise<boolean> {
    const hold = await this.holds.on(this.db.manager, job.model_id, job.version_id);
    if (hold) {
      await this.db.query(
        `UPDATE artifact_jobs SET lease_until = NULL, last_error = $2, next_attempt_at = now() + interval '1 hour' WHERE id = $1`,
        [job.id, `under legal hold: ${hold}`],
      );
      return false;
    }
    // The key was decided when the job was queued, maybe before the reference rule: the version must still name it
    // as its own (its folder, or its one object), or the job is closed without touching the store.
    const [version] = (await this.db.query(
      `SELECT id, model_id AS "modelId", artifact_source_uri AS "artifactSourceUri", artifact_storage_path AS "artifactStoragePath",
         artifact_layout AS "artifactLayout"
       FROM model_versions WHERE id = $1`,
      [job.version_id],
    )) as ArtifactPlace[];
    const owned = await ownedRoot(this.db.manager, this.store, version);
    if (owned.key !== job.store_key || version.modelId !== job.model_id) {
      return this.refuse(job, owned.refusal ?? `the version's artifact is at ${owned.key}, not ${job.store_key}`);
    }
    // File by file, each step done first and recorded after (a file is COLD or DELETED once its step is done), so a
    // worker that dies mid-folder leaves the next one only the files still to do, and redoes at most one step.
    const files = await placedFiles(this.db.manager, version, job.store_key);
    const mark = (path: string, status: 'COLD' | 'DELETED') =>
      this.db.query(`UPDATE artifact_files SET status = $3, verified_at = NULL WHERE version_id = $1 AND path = $2`, [
        job.version_id,
        path,
        status,
      ]);
    for (const file of files) {
      if (job.action === 'MOVE_TO_COLD') {
        if (file.status !== 'COLD') {
          // Copy first (again, after a crash: the same bytes); the hot object goes only once the file is recorded COLD.
          const hot = await this.store.read(file.key);
          if (hot) await this.store.write(coldKey(file.key), hot.body);
          else if (!(await this.store.stat(coldKey(file.key)))) throw new Error(`neither ${file.key} nor its cold copy is in the store`);
          await mark(file.path, 'COLD');
        }
        await this.store.remove(file.key);
      } else if (file.status !== 'DELETED') {
        await this.store.remove(file.key);
        await mark(file.path, 'DELETED');
      }
    }
    const cold = coldKey(job.store_key);
    return this.db.transaction(async (m) => {
      const [rows] = await m.query(
        `UPDATE artifact_jobs SET done_at = now(), lease_until = NULL, last_error = NULL WHERE id = $1 AND done_at IS NULL RETURNING id`,
        [job.id],
      );
      if (!rows.length) return false;
      const status = job.action === 'MOVE_TO_COLD' ? 'COLD' : 'DELETED';
      await m.query(`UPDATE model_versions SET artifact_status = $2, artifact_verified_at = NULL WHERE id = $1`, [job.version_id, status]);
      await appendAudit(
        m,
        { ...WORKER, requestId: randomUUID() },
        {
          action: job.action === 'MOVE_TO_COLD' ? 'artifact.moved_to_cold' : 'artifact.deleted',
          subjectType: 'ModelVersion',
          subjectId: job.version_id,
          modelId: job.model_id,
          payload: {
            jobId: job.id,
            attempts: job.attempts,
            ...(job.action === 'MOVE_TO_COLD'
              ? { from: this.store.uriOf(job.store_key), to: this.store.uriOf(cold) }
              : { removed: this.store.uriOf(job.store_key) }),
            ...(version.artifactLayout === ArtifactLayout.FOLDER ? { files: files.length } : {}),
          },
        },
      );
      return true;
    });
  }

  /** Closes a job that must not be carried out, saying why in the job and in the audit trail; the store is untouched. */
  private async refuse(job: Job, why: string): Promise<boolean> {
    const reason = `not carried out, the store is untouched: ${why}`;
    return this.db.transaction(async (m) => {
      const [rows] = await m.query(
        `UPDATE artifact_jobs SET done_at = now(), lease_until = NULL, last_error = $2 WHERE id = $1 AND done_at IS NULL RETURNING id`,
        [job.id, reason],
      );
      if (!rows.length) return false;
      await appendAudit(
        m,
        { ...WORKER, requestId: randomUUID() },
        {
          action: 'artifact.job_refused',
          subjectType: 'ModelVersion',
          subjectId: job.version_id,
          modelId: job.model_id,
          payload: { jobId: job.id, action: job.action, key: job.store_key, reason },
        },
      );
      return true;
    });
  }
}
