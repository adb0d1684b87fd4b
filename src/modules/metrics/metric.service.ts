import type { DataSource } from 'typeorm';
import type { Caller } from '../../common/caller';
import { notFound } from '../../common/errors';
import { hydratePages } from '../../db/hydrate';
import { keysetCounts, keysetPages, SqlParams, type ListQuery, type Page, type PageArgs } from '../../db/pagination';
import { Action, type AccessService } from '../access';
import { appendAudit } from '../audit';
import { MetricEntity } from './metric.entity';
import type { MetricSource } from './metric.enums';
import { validatePoints, type MetricPointShape } from './metric.rules';
import { insertMetricPoints } from './metric.store';

export interface LogMetricsInput {
  versionId: string;
  metrics: MetricPointShape[];
}

/** Metric points of versions, logged in batches. */
export class MetricService {
  constructor(
    private readonly db: DataSource,
    private readonly access: AccessService,
  ) {}

  /**
   * Stores a batch of points (up to 10,000) in one INSERT … SELECT FROM unnest(…), with one audit
   * event for the batch. Nothing of a refused batch is stored.
   */
  async log(caller: Caller, input: LogMetricsInput): Promise<{ count: number }> {
    validatePoints(input.metrics);
    return this.db.transaction(async (m) => {
      const [version] = await m.query('SELECT id, model_id FROM model_versions WHERE id = $1 FOR SHARE', [input.versionId]);
      if (!version) throw notFound('model version', input.versionId);
      await this.access.authorize(m, caller, Action.LOG_METRICS, version.model_id, notFound('model version', input.versionId));
      const points = input.metrics;
      await insertMetricPoints(m, input.versionId, points);
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
  async latestPages(versionIds: readonly string[], filter: LatestFilter, page: PageArgs): Promise<Map<string, Page<MetricEntity>>> {
    return hydratePages(this.db.manager, MetricEntity, await keysetPages(this.db.manager, latestList(versionIds, filter), page));
  }

  latestCounts(versionIds: readonly string[], filter: LatestFilter): Promise<Map<string, number>> {
    return keysetCounts(this.db.manager, latestList(versionIds, filter));
  }

  /** Every point of one series of each version, newest first. */
  async historyPages(versionIds: readonly string[], series: Series, page: PageArgs): Promise<Map<string, Page<MetricEntity>>> {
    return hydratePages(this.db.manager, MetricEntity, await keysetPages(this.db.manager, historyList(versionIds, series), page));
  }

  historyCounts(versionIds: readonly string[], series: Series): Promise<Map<string, number>> {
    return keysetCounts(this.db.manager, historyList(versionIds, series));
  }
}

export interface LatestFilter {
  source?: MetricSource | null;
  names?: string[] | null;
}

/** One metric of a version: its points, over steps and time. */
export interface Series {
  name: string;
  source: MetricSource;
  slice?: string | null;
}

/** The latest point of each series of a version, one row per series (kept by log(), see metric_latest). */
function latestList(versionIds: readonly string[], filter: LatestFilter): ListQuery {
  const params = new SqlParams();
  const where: string[] = [];
  if (filter.source) where.push(`x.source = ${params.p(filter.source)}`);
  if (filter.names?.length) where.push(`x.name = ANY(${params.p(filter.names)})`);
  return {
    from: '(SELECT metric_id AS id, version_id, name, value, step, source, slice, recorded_at FROM metric_latest)',
    where,
    params,
    parent: { column: 'x.version_id', keys: versionIds },
    order: ['x.name', 'x.source', 'x.slice', 'x.id'],
    direction: 'ASC',
  };
}

function historyList(versionIds: readonly string[], series: Series): ListQuery {
  const params = new SqlParams();
  return {
    from: 'metrics',
    where: [`x.name = ${params.p(series.name)}`, `x.source = ${params.p(series.source)}`, `x.slice = ${params.p(series.slice ?? '')}`],
    params,
    parent: { column: 'x.version_id', keys: versionIds },
    order: ['x.recorded_at', 'x.step', 'x.id'],
    direction: 'DESC',
  };
}
