import type { DataSource } from 'typeorm';
import type { Caller } from '../../common/caller';
import { notFound } from '../../common/errors';
import { Action, type AccessService } from '../access';
import type { CardService } from '../cards';
import type { LineageService } from '../lineage';
import type { RegisteredModelEntity } from '../models';
import type { TrustService } from '../trust';
import { ModelVersionEntity } from '../versions';
import { BOM_LINEAGE, bomTarget, serializeBom, type BomInputs } from './bom.rules';

interface Below {
  access: AccessService;
  models: { byNames(caller: Caller, names: readonly string[]): Promise<Map<string, RegisteredModelEntity>> };
  lineage: LineageService;
  trust: TrustService;
  cards: Pick<CardService, 'ofVersion'>;
}

/**
 * The AI bill of materials of a model version (CycloneDX 1.6 JSON): gathers what the registry holds about it (the
 * version and its artifact's files, its upstream lineage, its signatures) and hands it to the pure `serializeBom`.
 */
export class BomService {
  constructor(
    private readonly db: DataSource,
    private readonly below: Below,
  ) {}

  /** The facts of `<model name>` version `<number>`: VIEW on the model; NOT_FOUND for a model or version unknown or hidden. */
  async inputs(caller: Caller, modelName: string, versionNumber: string): Promise<BomInputs> {
    const m = this.db.manager;
    const target = bomTarget(modelName, versionNumber);
    if (!target) throw notFound('model version', 'at this address');
    const missing = notFound('model version', `${modelName}@${versionNumber}`);
    const model = (await this.below.models.byNames(caller, [modelName])).get(modelName);
    if (!model) throw notFound('model', modelName);
    await this.below.access.authorize(m, caller, Action.VIEW, model.id, notFound('model', modelName));
    const version = await m.getRepository(ModelVersionEntity).findOne({ where: { modelId: model.id, version: target.version } });
    if (!version) throw missing;
    const files = (await m.query(
      `SELECT path, sha256, size_bytes::text AS size_bytes FROM artifact_files WHERE version_id = $1 ORDER BY path COLLATE "C"`,
      [version.id],
    )) as Array<{ path: string; sha256: string | null; size_bytes: string | null }>;
    const walk = (await this.below.lineage.graphs(caller, [version.id], { ...BOM_LINEAGE })).get(version.id.toLowerCase());
    const signatures = await this.below.trust.signaturesOfVersion(m, version.id);
    const modelCard = await this.below.cards.ofVersion(version.id);
    return {
      model: { id: model.id, name: model.name },
      version,
      files: files.map((f) => ({ path: f.path, sha256: f.sha256, sizeBytes: f.size_bytes })),
      lineage: {
        nodes: (walk?.nodes ?? []).filter((n) => n.id !== version.id),
        edges: walk?.edges ?? [],
        truncated: walk?.truncated ?? false,
      },
      signatures,
      modelCard,
    };
  }

  /** The BOM's JSON text: byte for byte the same while the registry's facts about the version are. */
  async bom(caller: Caller, modelName: string, versionNumber: string): Promise<string> {
    return serializeBom(await this.inputs(caller, modelName, versionNumber));
  }
}
