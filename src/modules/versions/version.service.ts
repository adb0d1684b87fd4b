import { createHash } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import type { Caller } from '../../common/caller';
import { TransactionHooks } from '../../common/hooks';
import { badInput, conflict, notFound } from '../../common/errors';
import { isUuid } from '../../common/uuid';
import { hydrateByKey, hydratePages } from '../../db/hydrate';
import { columnsExcept, projection } from '../../db/projection';
import { keysetCounts, keysetPages, SqlParams, type ListQuery, type Page, type PageArgs } from '../../db/pagination';
import { writeReturning } from '../../db/write';
import { Action, type AccessService } from '../access';
import { appendAudit } from '../audit';
import { runIdempotent } from '../idempotency';
import { ModelStatus, RegisteredModelEntity } from '../models';
import { ArtifactFileEntity } from './manifest.entity';
import { rootDigest } from './manifest.rules';
import { ModelVersionEntity } from './version.entity';
import { ArtifactFormat, ArtifactLayout, ArtifactStatus, Stage } from './version.enums';
import { initialArtifactStatus, storagePath, validateRegistration, type RegisteredManifest, type RegistrationShape } from './version.rules';
import { readVersion } from './version.store';

export interface RegisterVersionInput extends RegistrationShape {
  modelId?: string | null;
  modelName?: string | null;
  artifact: RegistrationShape['artifact'] & { format: ArtifactFormat; signature?: Record<string, unknown> | null };
  idempotencyKey?: string | null;
}

export interface VersionFilter {
  stage?: Stage | null;
  artifactStatus?: ArtifactStatus | null;
  label?: string | null;
}

/** Model versions and their reproducibility tuple: registration, and the batched reads behind the API. */
export class ModelVersionService {
  /**
   * Run in every registering transaction, after the version and its artifact's files are written and before its
   * audit event; the manifest's files come in the order the registration gave them.
   */
  readonly registered = new TransactionHooks<[Caller, ModelVersionEntity, RegisteredModelEntity, RegisteredManifest]>();

  constructor(
    private readonly db: DataSource,
    private readonly access: AccessService,
  ) {}

  /**
   * Registers the next version of a model with its reproducibility tuple.
   * registerModelVersion({ modelName: 'fraud-detector', code: {...}, datasetVersions: ['s3://…@v3'], … })
   * → version 1, stored under models/<model id>/1/. A retry with the same idempotencyKey
   * returns the version the first call created.
   */
  async register(caller: Caller, input: RegisterVersionInput): Promise<{ version: ModelVersionEntity; replayed: boolean }> {
    if (Boolean(input.modelId) === Boolean(input.modelName)) throw badInput('modelId', 'give exactly one of modelId and modelName');
    const manifest = validateRegistration(input);
    const { idempotencyKey, ...request } = input;
    return this.db.transaction(async (m) => {
      const modelKey = String(input.modelId ?? input.modelName);
      const [model] = await m.query(`SELECT id FROM registered_models WHERE ${input.modelId ? 'id' : 'name'} = $1`, [modelKey]);
      if (!model) throw notFound('model', modelKey);
      // Before the idempotency replay: a caller who lost the right does not get the stored answer either.
      await this.access.authorize(m, caller, Action.REGISTER_VERSION, model.id, notFound('model', modelKey));
      const { result, replayed } = await runIdempotent(
        m,
        caller,
        'registerModelVersion',
        idempotencyKey,
        request,
        () => this.insertVersion(m, caller, input, manifest),
        {
          save: (version) => ({ versionId: version.id }),
          load: (stored) => readVersion(m, stored.versionId),
        },
      );
      return { version: result, replayed };
    });
  }

  private async insertVersion(
    m: EntityManager,
    caller: Caller,
    input: RegisterVersionInput,
    manifest: RegisteredManifest,
  ): Promise<ModelVersionEntity> {
    // Taking the next number locks the model row: concurrent registrations of one model queue here,
    // and numbers are never reused because the counter only grows.
    const [model] = await writeReturning(
      m,
      RegisteredModelEntity,
      `UPDATE registered_models SET version_counter = version_counter + 1
       WHERE ${input.modelId ? 'id' : 'name'} = $1 RETURNING *`,
      [input.modelId ?? input.modelName],
    );
    if (!model) throw notFound('model', String(input.modelId ?? input.modelName));
    if (model.status === ModelStatus.RETIRED) throw conflict(`model "${model.name}" is retired: it takes no new versions`);

    const artifactStatus = initialArtifactStatus(input.artifact);
    // A folder's size is its files' total, its sha256 the OMS root digest of theirs (once every one is declared).
    const folder = manifest.layout === ArtifactLayout.FOLDER;
    const digests = manifest.files.flatMap((f) => (f.sha256 === null ? [] : [{ path: f.path, sha256: f.sha256 }]));
    const artifactSha256 = folder
      ? digests.length === manifest.files.length
        ? rootDigest(digests)
        : null
      : (input.artifact.sha256 ?? null);
    const artifactSize = folder ? manifest.files.reduce((total, f) => total + (f.sizeBytes ?? 0), 0) : (input.artifact.sizeBytes ?? null);
    const [version] = await writeReturning(
      m,
      ModelVersionEntity,
      `INSERT INTO model_versions (model_id, version, label, description, stage, code_repo, code_commit, dataset_versions,
           hyperparameters, environment_image_digest, environment_package_lock, random_seed, training_run_id,
           artifact_format, artifact_storage_path, artifact_source_uri, artifact_size_bytes, artifact_sha256,
           artifact_signature, artifact_status, created_by, artifact_layout)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22)
         RETURNING *`,
      [
        model.id,
        model.versionCounter,
        input.label ?? null,
        input.description ?? '',
        Stage.DEVELOPMENT,
        input.code.repo,
        input.code.commit,
        JSON.stringify(input.datasetVersions),
        JSON.stringify(input.hyperparameters ?? {}),
        input.environment.imageDigest ?? null,
        input.environment.packageLock ?? null,
        input.randomSeed ?? null,
        input.trainingRunId ?? null,
        input.artifact.format,
        storagePath(model.id, model.versionCounter),
        input.artifact.uri ?? null,
        artifactSize,
        artifactSha256,
        input.artifact.signature ? JSON.stringify(input.artifact.signature) : null,
        artifactStatus,
        caller.subject,
        manifest.layout,
      ],
      {
        constraint: 'model_versions_label_idx',
        error: () => conflict(`model "${model.name}" already has a version labelled "${input.label}"`, { field: 'label' }),
      },
    );
    await m.query(
      `INSERT INTO artifact_files (version_id, path, size_bytes, sha256, status)
       SELECT $1, f.path, f.size_bytes, f.sha256, $5 FROM unnest($2::text[], $3::bigint[], $4::text[]) AS f(path, size_bytes, sha256)`,
      [
        version.id,
        manifest.files.map((f) => f.path),
        manifest.files.map((f) => f.sizeBytes),
        manifest.files.map((f) => f.sha256),
        artifactStatus,
      ],
    );
    await this.registered.run(m, caller, version, model, manifest);
    await appendAudit(m, caller, {
      action: 'version.registered',
      subjectType: 'ModelVersion',
      subjectId: version.id,
      modelId: model.id,
      // The manifest as registered (paths, sizes, digests): what a signature or a scan is later checked against.
      payload: { before: null, after: { ...auditable(version), artifactFiles: manifest.files } },
    });
    return version;
  }

  // ---- reads (batched) ----

  /** The versions among `ids` whose model the caller can see (one it cannot is absent, as if it did not exist). */
  async byIds(caller: Caller, ids: readonly string[]): Promise<Map<string, ModelVersionEntity>> {
    const rows = await this.access.visibleRows(caller, 'model_versions', 'id', ids.filter(isUuid));
    return hydrateByKey(this.db.manager, ModelVersionEntity, rows, (r) => String(r.id));
  }

  /**
   * What a lineage graph labels each version with (its id, model and number, and the model's name), for the versions
   * among `ids` whose model the caller can see: one statement of four columns, where byIds reads whole rows and the
   * name would take the models' rows besides.
   */
  async labelsByIds(caller: Caller, ids: readonly string[]): Promise<Map<string, VersionLabel>> {
    const params = new SqlParams();
    const wanted = params.p(ids.filter(isUuid));
    const visible = this.access.visibleModels(caller, 'x.model_id', params);
    const rows = (await this.db.query(
      `SELECT x.id, x.model_id, x.version, r.name AS model_name FROM model_versions x JOIN registered_models r ON r.id = x.model_id
       WHERE x.id = ANY(${wanted}) ${visible ? `AND ${visible}` : ''}`,
      params.values,
    )) as Array<{ id: string; model_id: string; version: number; model_name: string }>;
    return new Map(rows.map((r) => [r.id, { id: r.id, modelId: r.model_id, version: r.version, modelName: r.model_name }]));
  }

  /** The highest-numbered version of each model: one index probe per model, however many versions it has. */
  async latestByModels(modelIds: readonly string[]): Promise<Map<string, ModelVersionEntity>> {
    const rows = await this.db.query(
      `SELECT x.* FROM unnest($1::uuid[]) AS k(id)
       CROSS JOIN LATERAL (SELECT ${versionSummary(this.db.manager)} FROM model_versions x WHERE x.model_id = k.id ORDER BY x.version DESC LIMIT 1) x`,
      [modelIds],
    );
    return hydrateByKey(this.db.manager, ModelVersionEntity, rows, (r) => String(r.model_id));
  }

  /** Keys are `${modelId}/${version}`. */
  async byModelAndNumber(keys: readonly string[]): Promise<Map<string, ModelVersionEntity>> {
    const pairs = keys.map((k) => k.split('/'));
    const rows = await this.db.query(
      `SELECT ${versionSummary(this.db.manager)} FROM model_versions x JOIN unnest($1::uuid[], $2::int[]) AS k(model_id, version)
         ON x.model_id = k.model_id AND x.version = k.version`,
      [pairs.map((p) => p[0]), pairs.map((p) => Number(p[1]))],
    );
    return hydrateByKey(this.db.manager, ModelVersionEntity, rows, (r) => `${r.model_id}/${r.version}`);
  }

  /** The version each model has in PRODUCTION, if any (one at most: a unique index says so). */
  async productionByModels(modelIds: readonly string[]): Promise<Map<string, ModelVersionEntity>> {
    const rows = await this.db.query(
      `SELECT ${versionSummary(this.db.manager)} FROM model_versions x WHERE x.model_id = ANY($1) AND x.stage = 'PRODUCTION'`,
      [modelIds],
    );
    return hydrateByKey(this.db.manager, ModelVersionEntity, rows, (r) => String(r.model_id));
  }

  /** Versions of many models, newest first (RegisteredModel.versions), reading the columns of `fields`. */
  async pagesByModels(
    modelIds: readonly string[],
    filter: VersionFilter,
    page: PageArgs,
    fields?: readonly string[],
  ): Promise<Map<string, Page<ModelVersionEntity>>> {
    const columns = fields ? projection(this.db.manager, ModelVersionEntity, fields) : versionSummary(this.db.manager);
    return hydratePages(
      this.db.manager,
      ModelVersionEntity,
      await keysetPages(this.db.manager, versionList(modelIds, filter, columns), page),
    );
  }

  /** The files of many versions' artifacts, in path order (code point order), reading the columns of `fields`. */
  async filePagesByVersions(
    versionIds: readonly string[],
    page: PageArgs,
    fields?: readonly string[],
  ): Promise<Map<string, Page<ArtifactFileEntity>>> {
    const columns = fields ? projection(this.db.manager, ArtifactFileEntity, fields) : 'x.*';
    return hydratePages(this.db.manager, ArtifactFileEntity, await keysetPages(this.db.manager, fileList(versionIds, columns), page));
  }

  /** How many files each version's artifact has. */
  async fileCountsByVersions(versionIds: readonly string[]): Promise<Map<string, number>> {
    return keysetCounts(this.db.manager, fileList(versionIds, 'x.path'));
  }

  /**
   * How many versions each model has. Unfiltered, that is the model's version counter: versions are
   * never deleted and the counter moves in the same transaction as the insert, so it is exact, and
   * reading it costs the same for five versions or a hundred thousand.
   */
  async countsByModels(modelIds: readonly string[], filter: VersionFilter): Promise<Map<string, number>> {
    if (filter.stage || filter.artifactStatus || filter.label)
      return keysetCounts(this.db.manager, versionList(modelIds, filter, versionSummary(this.db.manager)));
    const rows = (await this.db.query('SELECT id, version_counter FROM registered_models WHERE id = ANY($1)', [modelIds])) as Array<{
      id: string;
      version_counter: number;
    }>;
    return new Map(rows.map((r) => [r.id, r.version_counter]));
  }
}

/**
 * What reads of versions other than by id leave out: the reproducibility tuple's bulky JSON and text (dataset
 * versions, hyperparameters, package lock) and the artifact's signature. The fields that show those load the
 * whole row by id (see ModelVersion.reproducibility and artifact, which reload when hyperparameters is absent);
 * every other column of the entity is read (versionSummary), so a column added to it is never undefined there.
 * Connections read even less, only the columns of the fields selected (see projection).
 */
const VERSION_SUMMARY_OMITS = ['datasetVersions', 'hyperparameters', 'environmentPackageLock', 'artifactSignature'] as const;

/** The columns (of `x`) of a version summary: every column of ModelVersionEntity but VERSION_SUMMARY_OMITS. */
/** A version as a lineage graph labels it: `<modelName>@<version>`. */
export type VersionLabel = Pick<ModelVersionEntity, 'id' | 'modelId' | 'version'> & { modelName: string };

function versionSummary(manager: EntityManager): string {
  return columnsExcept(manager, ModelVersionEntity, VERSION_SUMMARY_OMITS);
}

function versionList(modelIds: readonly string[], filter: VersionFilter, columns: string): ListQuery {
  const params = new SqlParams();
  const where: string[] = [];
  if (filter.stage) where.push(`x.stage = ${params.p(filter.stage)}`);
  if (filter.artifactStatus) where.push(`x.artifact_status = ${params.p(filter.artifactStatus)}`);
  if (filter.label) where.push(`x.label = ${params.p(filter.label)}`);
  return {
    from: 'model_versions',
    columns,
    where,
    params,
    parent: { column: 'x.model_id', keys: modelIds },
    order: ['x.version', 'x.id'],
    direction: 'DESC',
  };
}

/** The files of versions' artifacts, by path: byte order, as the column's collation (C) compares them. */
function fileList(versionIds: readonly string[], columns: string): ListQuery {
  return { from: 'artifact_files', columns, parent: { column: 'x.version_id', keys: versionIds }, order: ['x.path'], direction: 'ASC' };
}

/**
 * A version as the audit trail records it: whole, but for the package lock (up to 1 MB of text), which the
 * trail holds by its sha256 and length, so that the permanent record stays small and still proves it.
 */
function auditable(version: ModelVersionEntity): Record<string, unknown> {
  const lock = version.environmentPackageLock;
  return {
    ...version,
    environmentPackageLock: lock === null ? null : { sha256: createHash('sha256').update(lock).digest('hex'), length: lock.length },
  };
}
