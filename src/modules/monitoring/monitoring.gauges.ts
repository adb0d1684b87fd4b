import type { Caller } from '../../common/caller';
import type { GaugeSource } from '../../common/gauge';
import type { AlertService } from './alerts/alert.service';
import type { ObjectiveService, ObjectiveStatus } from './objectives/objective.service';

/** Models that keep their own label value; kinds, severities and objectives per model are bounded by themselves. */
export const MAX_MODEL_LABELS = 100;

const objectiveLabel = (s: ObjectiveStatus) => `${s.metric}_${s.comparator.toLowerCase()}`;

/**
 * /metrics: open alerts and objective status per model, labels bounded (see MAX_MODEL_LABELS), over the models the
 * scraping token may see.
 */
export function monitoringGauges(alerts: AlertService, objectives: ObjectiveService): GaugeSource[] {
  // prom-client collects a scrape's gauges at once, with the same caller: the three objective gauges share its evaluation.
  const inFlight = new WeakMap<Caller, ReturnType<ObjectiveService['allStatuses']>>();
  const statuses = (caller: Caller) => {
    let evaluation = inFlight.get(caller);
    if (!evaluation) inFlight.set(caller, (evaluation = objectives.allStatuses(caller, MAX_MODEL_LABELS)));
    return evaluation;
  };
  const perObjective = (pick: (s: ObjectiveStatus) => number | null) => async (caller: Caller) =>
    (await statuses(caller)).flatMap(({ model, statuses }) =>
      statuses.flatMap((s) => {
        const value = pick(s);
        return value === null ? [] : [{ labels: { model, objective: objectiveLabel(s) }, value }];
      }),
    );
  return [
    {
      name: 'modelgraph_open_alerts',
      help: `Open and acknowledged alerts by model, kind and severity (the ${MAX_MODEL_LABELS} models with most; the rest as model="_other")`,
      labelNames: ['model', 'kind', 'severity'],
      collect: async (caller) =>
        (await alerts.openCounts(caller, MAX_MODEL_LABELS)).map((r) => ({
          labels: { model: r.model, kind: r.kind, severity: r.severity },
          value: r.count,
        })),
    },
    {
      name: 'modelgraph_objective_budget_remaining',
      help: 'Share of the error budget left over the rolling window (1 untouched, 0 spent, below 0 overspent), by model and objective',
      labelNames: ['model', 'objective'],
      collect: perObjective((s) => s.budgetRemaining),
    },
    {
      name: 'modelgraph_objective_burn_rate',
      help: 'Error budget spending over the last hour (above 1 runs out before the window ends), by model and objective',
      labelNames: ['model', 'objective'],
      collect: perObjective((s) => s.burnRate),
    },
    {
      name: 'modelgraph_objective_breached',
      help: '1 when the objective has spent its error budget, else 0 (no data: absent)',
      labelNames: ['model', 'objective'],
      collect: perObjective((s) => (s.state === 'NO_DATA' ? null : s.state === 'BREACHED' ? 1 : 0)),
    },
  ];
}
