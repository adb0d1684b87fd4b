import type { DataSource } from 'typeorm';
import type { Caller } from '../../common/caller';
import { notFound } from '../../common/errors';
import { hydrate, hydrateByKey } from '../../db/hydrate';
import { writeReturning } from '../../db/write';
import { Action, type AccessService } from '../access';
import { appendAudit } from '../audit';
import { validationValues } from '../metrics';
import { readModel } from '../models';
import { readVersion } from '../versions';
import { BaselineEntity } from './policy.entity';
import { ValidationCheckEntity, ValidationReportEntity } from './validation.entity';
import { effectivePolicy } from './policy.store';
import { validate } from './validation.rules';

/** Validation reports: a version's VALIDATION metrics against the baselines and the policy's checks. */
export class ValidationService {
  constructor(
    private readonly db: DataSource,
    private readonly access: AccessService,
  ) {}

  /**
   * Compares the version's VALIDATION metrics with every baseline of its model and every required
   * check of the policy in force, and stores the report. A missing metric is a failed check.
   */
  async validate(caller: Caller, versionId: string): Promise<ValidationReportEntity> {
    return this.db.transaction(async (m) => {
      const version = await readVersion(m, versionId);
      await this.access.authorize(m, caller, Action.VALIDATE, version.modelId, notFound('model version', versionId));
      const model = await readModel(m, version.modelId);
      const { policy, source } = await effectivePolicy(m, model);
      const baselines = (await m.query('SELECT * FROM baselines WHERE model_id = $1 ORDER BY metric', [model.id])).map(
        (r: Record<string, unknown>) => hydrate(m, BaselineEntity, r),
      );
      const [production] = await m.query(`SELECT id FROM model_versions WHERE model_id = $1 AND stage = 'PRODUCTION' AND id <> $2`, [
        model.id,
        version.id,
      ]);
      const result = validate(
        baselines,
        policy.requiredChecks,
        await validationValues(m, version.id),
        production ? await validationValues(m, production.id) : null,
      );
      const [report] = await writeReturning(
        m,
        ValidationReportEntity,
        `INSERT INTO validation_reports (version_id, passed, summary, policy_id, created_by) VALUES ($1, $2, $3, $4, $5) RETURNING *`,
        [version.id, result.passed, result.summary, source?.id ?? null, caller.subject],
      );
      if (result.checks.length) {
        const c = result.checks;
        await m.query(
          `INSERT INTO validation_checks (report_id, position, origin, metric, comparator, candidate_value, baseline_value, tolerance, passed, detail)
           SELECT $1, ord::int, origin, metric, comparator, candidate, baseline, tolerance, passed, detail
           FROM unnest($2::text[], $3::text[], $4::text[], $5::float8[], $6::float8[], $7::float8[], $8::bool[], $9::text[])
             WITH ORDINALITY AS c(origin, metric, comparator, candidate, baseline, tolerance, passed, detail, ord)`,
          [
            report.id,
            c.map((x) => x.origin),
            c.map((x) => x.metric),
            c.map((x) => x.comparator),
            c.map((x) => x.candidateValue),
            c.map((x) => x.baselineValue),
            c.map((x) => x.tolerance),
            c.map((x) => x.passed),
            c.map((x) => x.detail),
          ],
        );
      }
      await appendAudit(m, caller, {
        action: 'version.validated',
        subjectType: 'ModelVersion',
        subjectId: version.id,
        modelId: model.id,
        payload: { reportId: report.id, passed: result.passed, summary: result.summary, checks: result.checks },
      });
      return report;
    });
  }

  // ---- reads (batched) ----

  async latestReportsByVersions(versionIds: readonly string[]): Promise<Map<string, ValidationReportEntity>> {
    const rows = await this.db.query(
      'SELECT DISTINCT ON (version_id) * FROM validation_reports WHERE version_id = ANY($1) ORDER BY version_id, created_at DESC, id DESC',
      [versionIds],
    );
    return hydrateByKey(this.db.manager, ValidationReportEntity, rows, (r) => String(r.version_id));
  }

  async checksByReports(reportIds: readonly string[]): Promise<Map<string, ValidationCheckEntity[]>> {
    const rows = await this.db.query('SELECT * FROM validation_checks WHERE report_id = ANY($1) ORDER BY report_id, position', [reportIds]);
    const map = new Map<string, ValidationCheckEntity[]>();
    for (const r of rows) {
      const check = hydrate(this.db.manager, ValidationCheckEntity, r);
      map.set(check.reportId, [...(map.get(check.reportId) ?? []), check]);
    }
    return map;
  }
}
