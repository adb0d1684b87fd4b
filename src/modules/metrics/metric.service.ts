import type { DataSource } from 'typeorm';
import type { Caller } from '../../common/caller';
import { badInput } from '../../common/errors';
import { hydratePages } from '../../db/hydrate';
import { keysetPages, SqlParams, type Page, type PageArgs } from '../../db/pagination';
import { appendAudit } from '../audit/audit.store';
import { MetricEntity } from './metric.entity';
import type { MetricSource } from './metric.enums';
import { validatePoints, type MetricPointShape } from './metric.rules';

export interface LogMetricsInput {
  versionId: string;
  metrics: MetricPointShape[];
}

/** Metric points of versions, logged in batches. */
export class MetricService {
  constructor(private readonly db: DataSource) {}

  /**
   * Stores a batch of points (up to 10,000) in one INSERT … SELECT FROM unnest(…), with one audit
   * event for the batch. Nothing of a refused batch is stored.
   */
  async log(caller: Caller, input: LogMetricsInput): Promise<{ count: number }> {
    validatePoints(input.metrics);
    return this.db.transaction(async (m) => {
      const [version] = await m.query('SELECT id, model_id FROM model_versions WHERE id = $1 FOR SHARE', [input.versionId]);
      if (!version) throw badInput('versionId', `no model version ${input.versionId}`);
      const now = new Date();
      const points = input.metrics;
      await m.query(
        `INSERT INTO metrics (version_id, source, name, value, step, slice, recorded_at)
         SELECT $1, p.source, p.name, p.value, p.step, p.slice, p.recorded_at
         FROM unnest($2::text[], $3::text[], $4::float8[], $5::int[], $6::text[], $7::timestamptz[])
           AS p(source, name, value, step, slice, recorded_at)`,
        [
          input.versionId,
          points.map((p) => p.source),
          points.map((p) => p.name),
          points.map((p) => p.value),
          points.map((p) => p.step ?? 0),
          points.map((p) => p.slice ?? ''),
          points.map((p) => p.recordedAt ?? now),
        ],
      );
      await appendAudit(m, caller, {
        action: 'metrics.logged',
        subjectType: 'ModelVersion',
        subjectId: input.versionId,
        modelId: version.model_id,
        payload: {
          count: points.length,
          sources: [...new Set(points.map((p) => p.source))].sort(),
          names: [...new Set(points.map((p) => p.name))].sort(),
        },
      });
      return { count: points.length };
    });
  }

  /** The latest value per (name, source, slice) of each version; optionally one source, some names. */
  async latestByVersions(
    versionIds: readonly string[],
    args: { source?: MetricSource | null; names?: string[] | null; page: PageArgs },
  ): Promise<Map<string, Page<MetricEntity>>> {
    const params = new SqlParams();
    const filters = [`version_id = ANY(${params.p(versionIds)})`];
    if (args.source) filters.push(`source = ${params.p(args.source)}`);
    if (args.names?.length) filters.push(`name = ANY(${params.p(args.names)})`);
    const latest = `(SELECT DISTINCT ON (version_id, name, source, slice) * FROM metrics WHERE ${filters.join(' AND ')}
       ORDER BY version_id, name, source, slice, recorded_at DESC, step DESC, id DESC)`;
    const pages = await keysetPages(this.db.manager, {
      table: latest,
      where: [],
      params,
      order: ['x.name', 'x.source', 'x.slice', 'x.id'],
      direction: 'ASC',
      partitionBy: 'x.version_id',
      ...args.page,
    });
    return hydratePages(this.db.manager, MetricEntity, pages);
  }

  /** Every point of one metric of each version, newest first. */
  async history(
    versionIds: readonly string[],
    args: { name: string; source: MetricSource; slice?: string | null; page: PageArgs },
  ): Promise<Map<string, Page<MetricEntity>>> {
    const params = new SqlParams();
    const pages = await keysetPages(this.db.manager, {
      table: 'metrics',
      where: [
        `x.version_id = ANY(${params.p(versionIds)})`,
        `x.name = ${params.p(args.name)}`,
        `x.source = ${params.p(args.source)}`,
        `x.slice = ${params.p(args.slice ?? '')}`,
      ],
      params,
      order: ['x.recorded_at', 'x.step', 'x.id'],
      direction: 'DESC',
      partitionBy: 'x.version_id',
      ...args.page,
    });
    return hydratePages(this.db.manager, MetricEntity, pages);
  }
}
