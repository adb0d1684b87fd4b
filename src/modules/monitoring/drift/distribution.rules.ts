import { badInput } from '../../../common/errors';
import { validateText } from '../../../common/text';
import { validateDistribution, type CategoryCounts, type Distribution, type Histogram, type QuantileSketch } from './drift.rules';

/** How many features one report may carry, and how many numbers (bins, quantiles, categories) in all. */
export const MAX_FEATURES_PER_REPORT = 500;
export const MAX_VALUES_PER_REPORT = 50_000;

/** One feature as the API takes it: exactly one of a histogram, a quantile sketch or category counts. */
export interface FeatureShape {
  name: string;
  histogram?: Histogram | null;
  quantiles?: QuantileSketch | null;
  categories?: Array<{ category: string; count: number }> | null;
}

/** A feature's name: the key reference and production distributions are matched on. */
export function validateFeatureName(name: string, field: string): void {
  validateText(name, field, { required: true, max: 200, identifier: true });
  // eslint-disable-next-line no-control-regex -- control characters are exactly what this refuses
  if (/[\u0000-\u001f\u007f]/.test(name)) throw badInput(field, 'must not contain control characters');
}

/**
 * The features of a reference or a report as distributions, each checked (counts, edges, NaN: the field
 * is named, e.g. features[3].histogram.counts[2]), names unique, sizes bounded. Nothing is stored when
 * one feature is refused.
 */
export function toDistributions(features: FeatureShape[], field = 'features'): Array<{ name: string; distribution: Distribution }> {
  if (!Array.isArray(features) || features.length === 0) throw badInput(field, 'give at least one feature');
  if (features.length > MAX_FEATURES_PER_REPORT)
    throw badInput(field, `at most ${MAX_FEATURES_PER_REPORT} features, got ${features.length}`);
  const seen = new Set<string>();
  let values = 0;
  return features.map((f, i) => {
    const at = `${field}[${i}]`;
    validateFeatureName(f.name, `${at}.name`);
    if (seen.has(f.name)) throw badInput(`${at}.name`, `"${f.name}" appears twice`);
    seen.add(f.name);
    const given = (['histogram', 'quantiles', 'categories'] as const).filter((k) => f[k] !== undefined && f[k] !== null);
    if (given.length !== 1) throw badInput(at, 'give exactly one of histogram, quantiles or categories');
    const shape = given[0];
    let distribution: Distribution;
    if (shape === 'categories') {
      // No prototype: a category named __proto__ is a category like any other.
      const counts: Record<string, number> = Object.create(null);
      (f.categories as NonNullable<FeatureShape['categories']>).forEach((c, j) => {
        if (Object.prototype.hasOwnProperty.call(counts, c.category))
          throw badInput(`${at}.categories[${j}].category`, `"${c.category}" appears twice`);
        counts[c.category] = c.count;
      });
      distribution = { categories: counts } satisfies CategoryCounts;
    } else {
      distribution = f[shape] as Distribution;
    }
    // Category counts are named by category (features[2].categories.mobile); the other shapes by their own path.
    validateDistribution(distribution, shape === 'categories' ? at : `${at}.${shape}`);
    values += sizeOfDistribution(distribution);
    if (values > MAX_VALUES_PER_REPORT) throw badInput(field, `at most ${MAX_VALUES_PER_REPORT} bins, quantiles and categories in all`);
    return { name: f.name, distribution };
  });
}

/** How many numbers a distribution holds: its bins, quantiles or categories. */
export function sizeOfDistribution(d: Distribution): number {
  if ('categories' in d) return Object.keys(d.categories).length;
  if ('quantiles' in d) return d.quantiles.length;
  return d.counts.length;
}
