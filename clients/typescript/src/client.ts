/**
 * The typed client: one method per operation a pipeline uses, each sending a document generated from the schema
 * (src/generated/graphql.ts), so a field renamed in the API breaks the build, not the pipeline. Reads are retried on
 * a network failure or a 502/503/504/429; so are the writes that take an idempotency key (registering, moving,
 * rolling back), with a key the client makes when the caller gives none — a retried write answers the first result.
 * Other writes are sent once: the caller decides.
 */
import { randomUUID, type KeyObject } from 'node:crypto';
import path from 'node:path';
import { errorOf, ModelgraphError } from './errors';
import { listFiles, sha256File, type Manifest } from './files';
import { resumableSubscription, type StreamOptions } from './events';
import { getHeaders, postJson, putFile, withRetries, type RetryOptions } from './http';
import { approverPublicKey, signChallenge } from './signing';
import * as ops from './generated/graphql';
import type { TypedDocumentString } from './generated/graphql';

export interface ClientOptions {
  /** The server, e.g. https://registry.example.com (default: MODELGRAPH_URL, else http://localhost:4000). */
  url?: string;
  /** An API token (default: MODELGRAPH_TOKEN). */
  token?: string;
  /** Retries of a retryable failure (default 3), and the first backoff (default 250 ms, doubling). */
  retries?: number;
  retryDelayMs?: number;
  /** A request's time limit (default 60 s); uploads have none. */
  timeoutMs?: number;
}

/** A metric point as `logMetrics` takes it. */
export type MetricPoint = ops.MetricPointInput;

export type Version = ops.ClientVersionFragment;

export interface UploadProgress {
  /** The file being sent, relative to the folder. */
  path: string;
  sentBytes: number;
  totalBytes: number;
}

export interface UploadedFile {
  path: string;
  sha256: string;
  sizeBytes: number;
  /** False when the registry already had this file READY with the same sha256 (an upload resumed). */
  uploaded: boolean;
}

/** The most points one `logMetrics` call takes. */
export const METRICS_PER_CALL = 10_000;

export class ModelgraphClient {
  readonly url: string;
  private readonly token: string | undefined;
  private readonly retry: RetryOptions;
  private readonly timeoutMs: number;

  constructor(options: ClientOptions = {}) {
    this.url = (options.url ?? process.env.MODELGRAPH_URL ?? 'http://localhost:4000').replace(/\/+$/, '');
    this.token = options.token ?? process.env.MODELGRAPH_TOKEN ?? undefined;
    this.retry = { retries: options.retries ?? 3, delayMs: options.retryDelayMs ?? 250 };
    this.timeoutMs = options.timeoutMs ?? 60_000;
  }

  private get headers(): Record<string, string> {
    return this.token ? { authorization: `Bearer ${this.token}` } : {};
  }

  /**
   * Sends one typed operation and answers its data, or throws the first error as a ModelgraphError. `retry`: whether
   * sending it again after a failure is safe (a read, or a write with an idempotency key).
   */
  async request<TResult, TVariables>(
    document: TypedDocumentString<TResult, TVariables>,
    variables: TVariables,
    options: { retry: boolean } = { retry: false },
  ): Promise<TResult> {
    const send = async (): Promise<TResult> => {
      const body = (await postJson(`${this.url}/graphql`, this.headers, { query: document.toString(), variables }, this.timeoutMs)) as {
        data?: TResult | null;
        errors?: unknown[];
      };
      if (body.errors?.length) throw errorOf(body);
      if (!body.data) throw new ModelgraphError('BAD_RESPONSE', 'the answer had neither data nor errors');
      return body.data;
    };
    return options.retry ? withRetries(this.retry, send) : send();
  }

  private read<TResult, TVariables>(document: TypedDocumentString<TResult, TVariables>, variables: TVariables): Promise<TResult> {
    return this.request(document, variables, { retry: true });
  }

  async viewer() {
    return (await this.read(ops.ClientViewerDocument, {})).viewer;
  }

  async createModel(input: ops.CreateModelInput) {
    return (await this.request(ops.ClientCreateModelDocument, { input })).createModel.model;
  }

  async models(page: { first?: number; after?: string } = {}) {
    return (await this.read(ops.ClientModelsDocument, { first: page.first, after: page.after })).models;
  }

  /** A model by name or id, with its latest versions; NOT_FOUND when there is none (or it is not yours to see). */
  async model(key: { name?: string; id?: string }) {
    const { model } = await this.read(ops.ClientModelDocument, { name: key.name, id: key.id });
    if (!model) throw new ModelgraphError('NOT_FOUND', `model ${key.name ?? key.id} not found`);
    return model;
  }

  async version(id: string): Promise<Version> {
    const { modelVersion } = await this.read(ops.ClientModelVersionDocument, { id });
    if (!modelVersion) throw new ModelgraphError('NOT_FOUND', `model version ${id} not found`);
    return modelVersion;
  }

  /** The version's last move (fromStage → toStage), or null when it never moved. */
  async lastMove(id: string) {
    const { modelVersion } = await this.read(ops.ClientLastMoveDocument, { id });
    return modelVersion?.stageHistory.edges[0]?.node ?? null;
  }

  async versionByNumber(modelName: string, number: number): Promise<Version> {
    const { model } = await this.read(ops.ClientVersionByNumberDocument, { name: modelName, number });
    if (!model?.version) throw new ModelgraphError('NOT_FOUND', `version ${number} of ${modelName} not found`);
    return model.version;
  }

  /** Registers a version; its idempotency key (made here when absent) makes a retry answer the first registration. */
  async registerVersion(input: ops.RegisterModelVersionInput) {
    const withKey = { ...input, idempotencyKey: input.idempotencyKey ?? randomUUID() };
    return (await this.request(ops.ClientRegisterVersionDocument, { input: withKey }, { retry: true })).registerModelVersion;
  }

  /** The artifact input for a file or folder on disk: its manifest (sizes and sha256s, hashed as streamed). */
  static artifactOf(manifest: Manifest, format: ops.ArtifactFormat): ops.ArtifactInput {
    if (manifest.folder) return { format, files: manifest.files.map((f) => ({ path: f.path, sizeBytes: f.sizeBytes, sha256: f.sha256 })) };
    const [file] = manifest.files;
    return { format, sha256: file.sha256, sizeBytes: file.sizeBytes };
  }

  /** Logs any number of points, in calls of at most 10,000; answers how many were recorded. */
  async logMetrics(versionId: string, metrics: MetricPoint[]): Promise<number> {
    let count = 0;
    for (let i = 0; i < metrics.length; i += METRICS_PER_CALL) {
      const batch = metrics.slice(i, i + METRICS_PER_CALL);
      count += (await this.request(ops.ClientLogMetricsDocument, { input: { versionId, metrics: batch } })).logMetrics.count;
    }
    return count;
  }

  async validate(versionId: string) {
    return (await this.request(ops.ClientValidateDocument, { input: { versionId } })).validateModelVersion.report;
  }

  /** Moves a version (retried under its idempotency key): GATE_FAILED carries the gate report, CONFLICT a stale expectation. */
  async transition(input: ops.TransitionModelVersionInput) {
    const withKey = { ...input, idempotencyKey: input.idempotencyKey ?? randomUUID() };
    return (await this.request(ops.ClientTransitionDocument, { input: withKey }, { retry: true })).transitionModelVersion;
  }

  async rollback(input: ops.RollbackModelInput) {
    const withKey = { ...input, idempotencyKey: input.idempotencyKey ?? randomUUID() };
    return (await this.request(ops.ClientRollbackDocument, { input: withKey }, { retry: true })).rollbackModel;
  }

  async promotionReadiness(versionId: string, targetStage: ops.Stage) {
    return (await this.read(ops.ClientPromotionReadinessDocument, { versionId, targetStage })).promotionReadiness;
  }

  /** Registers the Ed25519 key an approver signs with (its public half). */
  async registerApproverKey(privateKey: KeyObject) {
    return (await this.request(ops.ClientRegisterApproverKeyDocument, { input: { publicKey: approverPublicKey(privateKey) } }))
      .registerApproverKey.key;
  }

  /** Fetches the challenge for this decision, signs it with the approver's Ed25519 key and submits it. */
  async decide(input: {
    versionId: string;
    targetStage: ops.Stage;
    decision: ops.ApprovalDecision;
    privateKey: KeyObject;
    comment?: string;
  }) {
    const { versionId, targetStage, decision } = input;
    const { approvalChallenge } = await this.request(ops.ClientApprovalChallengeDocument, { input: { versionId, targetStage, decision } });
    const decided = {
      versionId,
      targetStage,
      signedAt: approvalChallenge.signedAt,
      signature: signChallenge(approvalChallenge.message, input.privateKey),
      comment: input.comment,
    };
    return decision === 'APPROVED'
      ? (await this.request(ops.ClientApproveDocument, { input: decided })).approveModelVersion.approval
      : (await this.request(ops.ClientRejectDocument, { input: decided })).rejectModelVersion.approval;
  }

  async attachSignature(versionId: string, bundle: Record<string, unknown>) {
    return (await this.request(ops.ClientAttachSignatureDocument, { input: { versionId, bundle } })).attachModelSignature.signature;
  }

  async lineage(variables: ops.ClientLineageQueryVariables) {
    return (await this.read(ops.ClientLineageDocument, variables)).lineage;
  }

  async verifyAuditChain() {
    return (await this.read(ops.ClientVerifyAuditChainDocument, {})).verifyAuditChain;
  }

  async createApiToken(input: ops.CreateApiTokenInput) {
    return (await this.request(ops.ClientCreateApiTokenDocument, { input })).createApiToken;
  }

  /**
   * Uploads a file or a folder (each file to `PUT /artifacts/<id>/<path>`), streamed from disk, each with the sha256
   * computed on the way before it is sent. A file the registry already holds READY with the same sha256 is skipped,
   * so an interrupted folder upload is resumed by running it again; a broken upload of one file is retried.
   */
  async upload(versionId: string, target: string, onProgress?: (progress: UploadProgress) => void): Promise<UploadedFile[]> {
    const { folder, files } = await listFiles(target);
    const uploaded: UploadedFile[] = [];
    for (const file of files) {
      const sha256 = await sha256File(file.absolute);
      const route = folder
        ? `${this.url}/artifacts/${encodeURIComponent(versionId)}/${file.path.split('/').map(encodeURIComponent).join('/')}`
        : `${this.url}/artifacts/${encodeURIComponent(versionId)}`;
      let sent = 0;
      const progress = (n: number) => {
        sent += n;
        onProgress?.({ path: folder ? file.path : path.basename(file.absolute), sentBytes: sent, totalBytes: file.sizeBytes });
      };
      const put = async (): Promise<UploadedFile> => {
        sent = 0;
        // Held already (an upload run again to resume): asked first, so its bytes are not sent again for a 409.
        const held = await getHeaders(route, this.headers);
        if (held.status < 300 && held.headers.get('x-artifact-sha256') === sha256)
          return { path: file.path, sha256, sizeBytes: file.sizeBytes, uploaded: false };
        try {
          const answer = (await putFile(
            route,
            { ...this.headers, 'x-artifact-sha256': sha256 },
            file.absolute,
            file.sizeBytes,
            progress,
          )) as {
            sha256?: string;
          };
          if (answer.sha256 !== sha256)
            throw new ModelgraphError(
              'BAD_RESPONSE',
              `${file.path}: the registry recorded sha256 ${answer.sha256}, the file has ${sha256}`,
            );
          return { path: file.path, sha256, sizeBytes: file.sizeBytes, uploaded: true };
        } catch (err) {
          if (err instanceof ModelgraphError && err.code === 'CONFLICT' && err.extensions.status === 'READY') {
            const held = await getHeaders(route, this.headers);
            if (held.headers.get('x-artifact-sha256') === sha256)
              return { path: file.path, sha256, sizeBytes: file.sizeBytes, uploaded: false };
          }
          throw err;
        }
      };
      uploaded.push(await withRetries(this.retry, put));
    }
    return uploaded;
  }

  private stream<T extends { cursor: string }>(
    document: { toString(): string },
    field: string,
    variables: Record<string, unknown>,
    options?: StreamOptions,
  ) {
    return resumableSubscription<T>(
      `${this.url.replace(/^http/, 'ws')}/graphql`,
      this.token,
      document.toString(),
      field,
      variables,
      options,
    );
  }

  /** Every committed event this token may see, from `after` (a cursor) on, resumed across disconnects. */
  lifecycleEvents(variables: ops.ClientLifecycleEventsSubscriptionVariables = {}, options?: StreamOptions) {
    return this.stream<ops.ClientLifecycleEventsSubscription['lifecycleEvents']>(
      ops.ClientLifecycleEventsDocument,
      'lifecycleEvents',
      variables,
      options,
    );
  }

  /** Versions moved into or out of PRODUCTION for one model. */
  promotions(variables: ops.ClientPromotionsSubscriptionVariables, options?: StreamOptions) {
    return this.stream<ops.ClientPromotionsSubscription['promotions']>(ops.ClientPromotionsDocument, 'promotions', variables, options);
  }

  /** Alerts as they are raised or escalate. */
  driftAlerts(variables: ops.ClientDriftAlertsSubscriptionVariables = {}, options?: StreamOptions) {
    return this.stream<ops.ClientDriftAlertsSubscription['driftAlerts']>(ops.ClientDriftAlertsDocument, 'driftAlerts', variables, options);
  }
}
