import type { DataSource } from 'typeorm';
import type { Caller } from '../../../common/caller';
import { notFound } from '../../../common/errors';
import { hydrate } from '../../../db/hydrate';
import { Action, type AccessService } from '../../access';
import { appendAudit } from '../../audit';
import { toDistributions, type FeatureShape } from './distribution.rules';
import { ReferenceDistributionEntity } from './drift.entity';
import { observationCount, referenceHistogram, type NumericDistribution } from './drift.rules';

export interface SetReferenceInput {
  versionId: string;
  features: FeatureShape[];
}

/**
 * Reference distributions: per version and feature, what production is compared with (usually the validation set).
 * The comparison itself is drift.rules.ts, run by reports/ as feature reports arrive.
 */
export class DriftService {
  constructor(
    private readonly db: DataSource,
    private readonly access: AccessService,
  ) {}

  /** setReferenceDistribution({ versionId, features }): per feature, replacing that feature's reference only. */
  async setReference(caller: Caller, input: SetReferenceInput): Promise<ReferenceDistributionEntity[]> {
    const features = toDistributions(input.features).map(({ name, distribution }, i) => {
      const categorical = 'categories' in distribution;
      const stored = categorical ? distribution : referenceHistogram(distribution as NumericDistribution, `features[${i}]`);
      return { name, kind: categorical ? 'CATEGORICAL' : 'NUMERIC', distribution: stored, observations: observationCount(stored) };
    });
    return this.db.transaction(async (m) => {
      const [version] = await m.query('SELECT id, model_id FROM model_versions WHERE id = $1 FOR SHARE', [input.versionId]);
      if (!version) throw notFound('model version', input.versionId);
      await this.access.authorize(m, caller, Action.REPORT_PRODUCTION, version.model_id, notFound('model version', input.versionId));
      const rows = await m.query(
        `INSERT INTO reference_distributions (version_id, feature, kind, distribution, observations, set_by)
         SELECT $1, f.feature, f.kind, f.distribution, f.observations, $6
         FROM unnest($2::text[], $3::text[], $4::jsonb[], $5::float8[]) AS f(feature, kind, distribution, observations)
         ON CONFLICT (version_id, feature) DO UPDATE SET kind = EXCLUDED.kind, distribution = EXCLUDED.distribution,
           observations = EXCLUDED.observations, set_by = EXCLUDED.set_by, set_at = now()
         RETURNING *`,
        [
          input.versionId,
          features.map((f) => f.name),
          features.map((f) => f.kind),
          features.map((f) => JSON.stringify(f.distribution)),
          features.map((f) => f.observations),
          caller.subject,
        ],
      );
      await appendAudit(m, caller, {
        action: 'monitoring.reference_set',
        subjectType: 'ModelVersion',
        subjectId: input.versionId,
        modelId: version.model_id,
        payload: { features: features.map((f) => ({ feature: f.name, kind: f.kind, observations: f.observations })) },
      });
      return (rows as Array<Record<string, unknown>>).map((r) => hydrate(m, ReferenceDistributionEntity, r));
    });
  }

  /** The reference distributions of each version, by feature. */
  async referencesOf(versionIds: readonly string[]): Promise<Map<string, ReferenceDistributionEntity[]>> {
    const rows = await this.db.query('SELECT * FROM reference_distributions WHERE version_id = ANY($1) ORDER BY feature', [versionIds]);
    const byVersion = new Map<string, ReferenceDistributionEntity[]>();
    for (const row of rows) {
      const entity = hydrate(this.db.manager, ReferenceDistributionEntity, row);
      const list = byVersion.get(entity.versionId) ?? [];
      if (!list.length) byVersion.set(entity.versionId, list);
      list.push(entity);
    }
    return byVersion;
  }
}
