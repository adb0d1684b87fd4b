import { badInput } from '../../../common/errors';

/**
 * Production drift: is what a model sees in production still distributed like what it was validated on?
 * Everything here works on summaries a monitoring agent can ship in a few kilobytes (histograms, quantile
 * sketches, category counts), never on raw rows, and is pure: the monitoring module stores and schedules.
 *
 * Numeric features: PSI decides, KS is reported beside it. Categorical features: the chi-square test
 * decides, categorical PSI is reported beside it. Too few observations give no verdict at all.
 */

/** Observations in bins [binEdges[i], binEdges[i + 1]): k counts, k + 1 strictly increasing edges. */
export interface Histogram {
  binEdges: number[];
  counts: number[];
}

/** A quantile sketch of `count` observations: `value` is their q-quantile (e.g. deciles from a streaming sketch). */
export interface QuantileSketch {
  quantiles: Array<{ q: number; value: number }>;
  count: number;
}

/** Observations per category name. */
export interface CategoryCounts {
  categories: Record<string, number>;
}

export type NumericDistribution = Histogram | QuantileSketch;
export type Distribution = NumericDistribution | CategoryCounts;

export type Severity = 'NONE' | 'WARNING' | 'CRITICAL';

/**
 * Per model. PSI grows with drift, so PSI ≥ warning warns; a p-value shrinks with the evidence of drift, so
 * p < warning warns and critical is the smaller of the two. `minObservations` applies to each side.
 */
export interface DriftThresholds {
  psi: { warning: number; critical: number };
  pValue: { warning: number; critical: number };
  minObservations: number;
}

/** A statistic with its sample-size guard: with too few observations there is a reason, never a number to act on. */
export type Guarded<T> = ({ status: 'OK' } & T) | { status: 'INSUFFICIENT_DATA'; reason: string };

export interface FeatureDrift {
  status: 'OK' | 'INSUFFICIENT_DATA';
  /** null when INSUFFICIENT_DATA: too little data is no verdict, not even NONE. */
  severity: Severity | null;
  /** Why there is no verdict (INSUFFICIENT_DATA only). */
  reason?: string;
  /** Empty when INSUFFICIENT_DATA. */
  statistics: { psi?: number; ks?: { d: number; pValue: number }; chiSquare?: { statistic: number; df: number; pValue: number } };
  observations: { reference: number; production: number };
}

export const MAX_BINS = 1_000;
/** A sketch has at most as many quantiles as a histogram has edges. */
export const MAX_QUANTILES = MAX_BINS + 1;
export const MAX_CATEGORIES = 1_000;
export const MAX_CATEGORY_NAME_LENGTH = 200;
/** Far beyond any real traffic, and every sum of counts stays an exact integer in a double (below 2^53). */
export const MAX_TOTAL_COUNT = 1e12;
/**
 * The smallest share PSI gives a bin or category: an empty one would make ln(p/q) infinite. 1e-4 is the
 * common choice: one empty bin against a share of 0.1 costs (0.1 − 0.0001)·ln(1000) ≈ 0.69, critical
 * on its own, as a category that appears from nowhere should be.
 */
export const PSI_EPSILON = 1e-4;
/** Below this many observations in all, the chi-square approximation is not trusted, whatever minObservations says. */
export const CHI_SQUARE_MIN_TOTAL = 100;

export const DEFAULT_DRIFT_THRESHOLDS: Readonly<DriftThresholds> = Object.freeze({
  psi: Object.freeze({ warning: 0.1, critical: 0.25 }),
  pValue: Object.freeze({ warning: 0.05, critical: 0.01 }),
  minObservations: 100,
});

type Shape = 'HISTOGRAM' | 'QUANTILES' | 'CATEGORIES';

/**
 * Which of the three shapes `d` is, from the one key it sets. A null key counts as absent, as a GraphQL
 * input with every shape's fields optional sends them.
 */
function shapeOf(d: unknown): Shape | null {
  if (d === null || typeof d !== 'object') return null;
  const set = (key: string) => (d as Record<string, unknown>)[key] !== undefined && (d as Record<string, unknown>)[key] !== null;
  const shapes: Shape[] = [];
  if (set('binEdges') || set('counts')) shapes.push('HISTOGRAM');
  if (set('quantiles') || set('count')) shapes.push('QUANTILES');
  if (set('categories')) shapes.push('CATEGORIES');
  return shapes.length === 1 ? shapes[0] : null;
}

const isHistogram = (d: Distribution): d is Histogram => shapeOf(d) === 'HISTOGRAM';
const isCategorical = (d: Distribution): d is CategoryCounts => shapeOf(d) === 'CATEGORIES';

const isFiniteNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
const sum = (values: number[]): number => values.reduce((total, value) => total + value, 0);

function validateCount(value: unknown, field: string): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw badInput(field, 'must be a non-negative integer');
}

function validateTotal(total: number, field: string): void {
  if (total > MAX_TOTAL_COUNT) throw badInput(field, `must add up to at most ${MAX_TOTAL_COUNT} observations`);
}

/**
 * Refuses a distribution that is not exactly one of the three shapes, or not well formed, naming the exact
 * field: validateDistribution(d, 'features[2].production') may refuse 'features[2].production.counts[3]'.
 * All-zero counts are accepted: that is "no observations", which the guards answer with INSUFFICIENT_DATA.
 */
export function validateDistribution(d: Distribution, field: string): void {
  const shape = shapeOf(d);
  if (shape === null) {
    throw badInput(field, 'must be exactly one of a histogram (binEdges, counts), quantiles (quantiles, count) or categories');
  }
  if (shape === 'HISTOGRAM') validateHistogram(d as Histogram, field);
  else if (shape === 'QUANTILES') validateQuantiles(d as QuantileSketch, field);
  else validateCategories(d as CategoryCounts, field);
}

function validateHistogram({ binEdges, counts }: Histogram, field: string): void {
  if (!Array.isArray(binEdges) || binEdges.length < 2) throw badInput(`${field}.binEdges`, 'give at least two edges (one bin)');
  if (binEdges.length > MAX_BINS + 1) {
    throw badInput(`${field}.binEdges`, `at most ${MAX_BINS} bins (${MAX_BINS + 1} edges), got ${binEdges.length} edges`);
  }
  binEdges.forEach((edge, i) => {
    if (!isFiniteNumber(edge)) throw badInput(`${field}.binEdges[${i}]`, 'must be a finite number');
    if (i > 0 && edge <= binEdges[i - 1])
      throw badInput(`${field}.binEdges[${i}]`, `must be greater than the edge before it (${binEdges[i - 1]})`);
  });
  // Re-binning divides by bin widths: a width that overflows to Infinity would turn into NaN.
  if (!Number.isFinite(binEdges[binEdges.length - 1] - binEdges[0])) throw badInput(`${field}.binEdges`, 'must span a finite range');
  if (!Array.isArray(counts) || counts.length !== binEdges.length - 1) {
    const got = Array.isArray(counts) ? `${counts.length} counts` : 'no list';
    throw badInput(`${field}.counts`, `must hold one count per bin: ${binEdges.length} edges make ${binEdges.length - 1} bins, got ${got}`);
  }
  counts.forEach((count, i) => validateCount(count, `${field}.counts[${i}]`));
  validateTotal(sum(counts), `${field}.counts`);
}

function validateQuantiles({ quantiles, count }: QuantileSketch, field: string): void {
  // Two points at least: one alone says nothing about the spread.
  if (!Array.isArray(quantiles) || quantiles.length < 2) throw badInput(`${field}.quantiles`, 'give at least two quantiles');
  if (quantiles.length > MAX_QUANTILES) throw badInput(`${field}.quantiles`, `at most ${MAX_QUANTILES} quantiles, got ${quantiles.length}`);
  quantiles.forEach((point, i) => {
    const at = `${field}.quantiles[${i}]`;
    if (point === null || typeof point !== 'object') throw badInput(at, 'must be { q, value }');
    if (!isFiniteNumber(point.q) || point.q < 0 || point.q > 1) throw badInput(`${at}.q`, 'must be a number from 0 to 1');
    if (i > 0 && point.q <= quantiles[i - 1].q) throw badInput(`${at}.q`, `must be greater than the q before it (${quantiles[i - 1].q})`);
    if (!isFiniteNumber(point.value)) throw badInput(`${at}.value`, 'must be a finite number');
    if (i > 0 && point.value < quantiles[i - 1].value) {
      throw badInput(`${at}.value`, `must not be less than the value before it (${quantiles[i - 1].value})`);
    }
  });
  if (!Number.isFinite(quantiles[quantiles.length - 1].value - quantiles[0].value)) {
    throw badInput(`${field}.quantiles`, 'values must span a finite range');
  }
  validateCount(count, `${field}.count`);
  validateTotal(count, `${field}.count`);
}

function validateCategories({ categories }: CategoryCounts, field: string): void {
  const at = `${field}.categories`;
  if (typeof categories !== 'object' || Array.isArray(categories)) throw badInput(at, 'must map category names to counts');
  const entries = Object.entries(categories);
  if (entries.length === 0) throw badInput(at, 'give at least one category');
  if (entries.length > MAX_CATEGORIES) throw badInput(at, `at most ${MAX_CATEGORIES} categories, got ${entries.length}`);
  for (const [name, count] of entries) {
    if (name.length > MAX_CATEGORY_NAME_LENGTH) {
      throw badInput(
        at,
        `category names must be at most ${MAX_CATEGORY_NAME_LENGTH} characters, got ${name.length}: "${name.slice(0, 40)}…"`,
      );
    }
    // The monitoring module will store these names; PostgreSQL text and jsonb cannot hold NUL.
    if (name.includes('\u0000')) throw badInput(at, 'category names must not contain NUL characters');
    validateCount(count, `${at}[${JSON.stringify(name)}]`);
  }
  validateTotal(sum(entries.map(([, count]) => count)), at);
}

/**
 * Refuses thresholds that cannot order NONE < WARNING < CRITICAL: every bound finite and positive, PSI
 * warning below PSI critical, p-value critical below p-value warning and both below 1, and
 * minObservations a positive integer.
 */
export function validateThresholds(thresholds: DriftThresholds, field = 'thresholds'): void {
  const bound = (value: unknown, at: string, max?: number): void => {
    if (!isFiniteNumber(value) || value <= 0) throw badInput(at, 'must be a finite positive number');
    if (max !== undefined && value >= max) throw badInput(at, `must be less than ${max}`);
  };
  if (thresholds === null || typeof thresholds !== 'object') throw badInput(field, 'must give psi, pValue and minObservations');
  const { psi, pValue, minObservations } = thresholds;
  if (psi === null || typeof psi !== 'object') throw badInput(`${field}.psi`, 'must give warning and critical');
  bound(psi.warning, `${field}.psi.warning`);
  bound(psi.critical, `${field}.psi.critical`);
  if (psi.warning >= psi.critical) throw badInput(`${field}.psi.warning`, `must be less than critical (${psi.critical})`);
  if (pValue === null || typeof pValue !== 'object') throw badInput(`${field}.pValue`, 'must give warning and critical');
  bound(pValue.warning, `${field}.pValue.warning`, 1);
  bound(pValue.critical, `${field}.pValue.critical`, 1);
  if (pValue.critical >= pValue.warning) {
    throw badInput(
      `${field}.pValue.warning`,
      `must be greater than critical (${pValue.critical}): the smaller p-value is the worse verdict`,
    );
  }
  if (typeof minObservations !== 'number' || !Number.isInteger(minObservations) || minObservations < 1) {
    throw badInput(`${field}.minObservations`, 'must be a positive integer');
  }
}

/** How many observations a distribution summarises. */
export function observationCount(d: Distribution): number {
  if (isHistogram(d)) return sum(d.counts);
  if (isCategorical(d)) return sum(Object.values(d.categories));
  return (d as QuantileSketch).count;
}

/** The reason there is no verdict, or null when both sides have enough observations. */
function tooFew(reference: number, production: number, minObservations: number): string | null {
  if (!Number.isInteger(minObservations) || minObservations < 1) throw badInput('minObservations', 'must be a positive integer');
  if (reference < minObservations) return `the reference has ${reference} observations, fewer than the ${minObservations} a verdict needs`;
  if (production < minObservations) return `production has ${production} observations, fewer than the ${minObservations} a verdict needs`;
  return null;
}

/** How many of a histogram's observations lie below x, spread evenly within each bin. */
function histogramBelow({ binEdges, counts }: Histogram, x: number): number {
  if (x <= binEdges[0]) return 0;
  let below = 0;
  for (let i = 0; i < counts.length; i++) {
    if (x < binEdges[i + 1]) return below + (counts[i] * (x - binEdges[i])) / (binEdges[i + 1] - binEdges[i]);
    below += counts[i];
  }
  return below;
}

/**
 * The CDF of a quantile sketch at x: linear between consecutive quantiles. Its tails are unknown, so the
 * share below the first quantile sits at the first value and the share above the last at the last value.
 */
function quantileCdf({ quantiles }: QuantileSketch, x: number): number {
  if (x < quantiles[0].value) return 0;
  if (x >= quantiles[quantiles.length - 1].value) return 1;
  // The last point at or below x; the next one is then strictly above x, so the division is safe.
  let i = 0;
  while (quantiles[i + 1].value <= x) i++;
  const [a, b] = [quantiles[i], quantiles[i + 1]];
  return a.q + ((b.q - a.q) * (x - a.value)) / (b.value - a.value);
}

/**
 * Production counts per bin of the reference's edges. On the same edges: the counts as they are. Otherwise
 * the production CDF F is read at each inner reference edge by linear interpolation (a histogram's
 * observations spread evenly within each of its bins; a sketch's linearly between its quantiles) and bin i
 * gets n·(F(e[i+1]) − F(e[i])). The outer reference bins are open-ended, as is usual for PSI: production
 * observations below the first edge count in the first bin and above the last edge in the last, so none
 * is lost. The counts become fractional; PSI and KS only use them as shares.
 * Example: production edges [0, 20, 40] with counts [600, 400] onto edges [0, 10, 20, 30, 40] give
 * [300, 300, 200, 200].
 */
export function rebin(production: NumericDistribution, binEdges: number[]): number[] {
  const total = observationCount(production);
  if (isHistogram(production) && sameEdges(production.binEdges, binEdges)) return [...production.counts];
  // Counts below each edge rather than shares: whole counts then stay whole where the edges allow.
  const below = (x: number) =>
    isHistogram(production) ? histogramBelow(production, x) : quantileCdf(production as QuantileSketch, x) * total;
  const cumulative = [0, ...binEdges.slice(1, -1).map(below), total];
  // max(0, …) only guards against a rounding step below zero; the CDF never decreases.
  return cumulative.slice(1).map((upTo, i) => Math.max(0, upTo - cumulative[i]));
}

const sameEdges = (a: number[], b: number[]): boolean => a.length === b.length && a.every((edge, i) => edge === b[i]);

/**
 * The population stability index of two count vectors over the same bins or categories:
 *
 *   PSI = Σ_i (p_i − q_i) · ln(p_i / q_i)
 *
 * p_i and q_i are the reference's and production's shares of bin i, each raised to at least PSI_EPSILON
 * (1e-4) so that an empty bin costs a large finite amount instead of ln(0); shares are not renormalised
 * afterwards. Every term is ≥ 0 ((p − q) and ln(p/q) have the same sign), so PSI ≥ 0, it is 0 exactly when
 * the shares agree, and it is symmetric in its two arguments.
 *
 * Worked example: reference counts [500, 300, 200] (shares 0.5, 0.3, 0.2), production [400, 400, 200]:
 *   (0.5 − 0.4) · ln(0.5/0.4) = 0.1 · 0.223144 = 0.022314
 *   (0.3 − 0.4) · ln(0.3/0.4) = −0.1 · −0.287682 = 0.028768
 *   (0.2 − 0.2) · ln(1) = 0
 *   PSI = 0.051083: below 0.1, no drift.
 * Both totals must be positive (the guards see to it).
 */
export function populationStabilityIndex(referenceCounts: number[], productionCounts: number[]): number {
  const [n1, n2] = [sum(referenceCounts), sum(productionCounts)];
  let psi = 0;
  referenceCounts.forEach((count, i) => {
    const p = Math.max(count / n1, PSI_EPSILON);
    const q = Math.max(productionCounts[i] / n2, PSI_EPSILON);
    psi += (p - q) * Math.log(p / q);
  });
  return psi;
}

/**
 * PSI of a numeric feature on the reference's bins, production re-binned onto them if it has other edges
 * or is a quantile sketch (see rebin). The reference must be a histogram: its edges are the bins.
 */
export function numericPsi(reference: Histogram, production: NumericDistribution, minObservations = 100): Guarded<{ psi: number }> {
  validateNumericPair(reference, production);
  const reason = tooFew(observationCount(reference), observationCount(production), minObservations);
  if (reason) return { status: 'INSUFFICIENT_DATA', reason };
  return { status: 'OK', psi: populationStabilityIndex(reference.counts, rebin(production, reference.binEdges)) };
}

/**
 * PSI of a categorical feature over the union of both sides' categories: a category seen on one side only
 * has share 0 on the other, raised to PSI_EPSILON. Same formula as populationStabilityIndex.
 * Example: reference { a: 100, b: 100 }, production { a: 100, b: 80, c: 20 }: shares (0.5, 0.5, 0) against
 * (0.5, 0.4, 0.1); terms 0, 0.1·ln(1.25) = 0.022314 and (0.0001 − 0.1)·ln(0.001) = 0.690085; PSI = 0.712399.
 */
export function categoricalPsi(reference: CategoryCounts, production: CategoryCounts, minObservations = 100): Guarded<{ psi: number }> {
  validateCategoricalPair(reference, production);
  const reason = tooFew(observationCount(reference), observationCount(production), minObservations);
  if (reason) return { status: 'INSUFFICIENT_DATA', reason };
  const { referenceCounts, productionCounts } = alignCategories(reference, production);
  return { status: 'OK', psi: populationStabilityIndex(referenceCounts, productionCounts) };
}

/** Counts per category of the union, in one order (a Map: a category named "__proto__" is a category like any other). */
function alignCategories(reference: CategoryCounts, production: CategoryCounts): { referenceCounts: number[]; productionCounts: number[] } {
  const names = [...new Set([...Object.keys(reference.categories), ...Object.keys(production.categories)])];
  const counts = (d: CategoryCounts) => {
    const byName = new Map(Object.entries(d.categories));
    return names.map((name) => byName.get(name) ?? 0);
  };
  return { referenceCounts: counts(reference), productionCounts: counts(production) };
}

/**
 * The two-sample Kolmogorov–Smirnov statistic of two count vectors over the same bins: the largest gap
 * between their empirical CDFs at the bin edges, D = max_j |F_ref(e_j) − F_prod(e_j)|, in [0, 1].
 * Example: reference [100, 200, 300, 400] has CDF 0.1, 0.3, 0.6, 1 at the inner and last edges;
 * production [250, 250, 250, 250] has 0.25, 0.5, 0.75, 1; the gaps are 0.15, 0.2, 0.15, 0, so D = 0.2.
 * Binned data only shows the CDFs at the edges, so D is at most the D of the raw observations.
 */
export function ksStatistic(referenceCounts: number[], productionCounts: number[]): number {
  const [n1, n2] = [sum(referenceCounts), sum(productionCounts)];
  let [below1, below2, d] = [0, 0, 0];
  referenceCounts.forEach((count, i) => {
    below1 += count;
    below2 += productionCounts[i];
    d = Math.max(d, Math.abs(below1 / n1 - below2 / n2));
  });
  // Re-binned counts are fractional: their running sum may overshoot its total by a rounding step.
  return Math.min(d, 1);
}

/**
 * The Kolmogorov distribution's survival function, the probability that the scaled statistic exceeds λ:
 *
 *   Q_KS(λ) = 2 Σ_{k≥1} (−1)^{k−1} e^{−2k²λ²}
 *
 * That alternating series converges in a few terms for λ ≥ 1.18 but needs many, with cancellation, as
 * λ → 0; there the equivalent (Jacobi theta) form converges fast instead (Numerical Recipes, 3rd ed. §6.14):
 *
 *   Q_KS(λ) = 1 − (√(2π)/λ) Σ_{k≥1} e^{−(2k−1)²π²/(8λ²)}
 *
 * Worked example: Q_KS(1.36) = 2(e^{−3.6992} − e^{−14.797} + …) = 2(0.0247433 − 0.0000004) ≈ 0.04949, the 5%
 * critical value; Q_KS(1.63) ≈ 2·e^{−5.3138} ≈ 0.0098, the 1% one. Q_KS(0) = 1.
 */
export function kolmogorovQ(lambda: number): number {
  if (lambda <= 0) return 1;
  if (lambda < 1.18) {
    let series = 0;
    for (let k = 1; k <= 20; k++) {
      const term = Math.exp((-((2 * k - 1) ** 2) * Math.PI ** 2) / (8 * lambda ** 2));
      series += term;
      if (term < 1e-17 * series) break;
    }
    return Math.min(1, Math.max(0, 1 - (Math.sqrt(2 * Math.PI) / lambda) * series));
  }
  let series = 0;
  for (let k = 1; k <= 20; k++) {
    const term = Math.exp(-2 * k * k * lambda * lambda);
    series += k % 2 === 1 ? term : -term;
    if (term < 1e-17 * series) break;
  }
  return Math.min(1, Math.max(0, 2 * series));
}

/**
 * The asymptotic p-value of a two-sample KS statistic D with n1 and n2 observations: with the effective
 * size n_e = n1·n2/(n1 + n2) and λ = (√n_e + 0.12 + 0.11/√n_e)·D (Stephens' small-sample correction),
 * p = Q_KS(λ).
 * Example: n1 = n2 = 200 gives n_e = 100, √n_e = 10, λ = 10.131·D; D = 0.15 gives λ = 1.51965 and
 * p = 2(e^{−4.61867} − …) ≈ 0.01973.
 */
export function ksPValue(d: number, n1: number, n2: number): number {
  const root = Math.sqrt((n1 * n2) / (n1 + n2));
  return kolmogorovQ((root + 0.12 + 0.11 / root) * d);
}

/** KS of a numeric feature on the reference's bins, production re-binned onto them as for PSI. */
export function ksTest(
  reference: Histogram,
  production: NumericDistribution,
  minObservations = 100,
): Guarded<{ d: number; pValue: number }> {
  validateNumericPair(reference, production);
  const [n1, n2] = [observationCount(reference), observationCount(production)];
  const reason = tooFew(n1, n2, minObservations);
  if (reason) return { status: 'INSUFFICIENT_DATA', reason };
  const d = ksStatistic(reference.counts, rebin(production, reference.binEdges));
  return { status: 'OK', d, pValue: ksPValue(d, n1, n2) };
}

/** ln Γ(x) for x > 0: Lanczos' approximation (g = 7, 9 coefficients), about 15 significant digits. */
function logGamma(x: number): number {
  // Reflection, so that the approximation only ever sees x ≥ 0.5.
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const coefficients = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
    -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  const z = x - 1;
  let series = coefficients[0];
  for (let i = 1; i < coefficients.length; i++) series += coefficients[i] / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(series);
}

/** Far more than either expansion needs for a ≤ 500 (1,000 categories): a few hundred terms at most. */
const MAX_ITERATIONS = 10_000;
const RELATIVE_EPSILON = 1e-15;

/**
 * The regularized upper incomplete gamma function Q(a, x) = Γ(a, x)/Γ(a), as in Numerical Recipes (gammq):
 * for x < a + 1 the series of the lower function, P(a, x) = e^{−x} x^a Σ_{n≥0} x^n / Γ(a + n + 1), and
 * Q = 1 − P; otherwise Legendre's continued fraction for Q itself, evaluated by the modified Lentz method.
 * Each is used where it converges fast and where its result is not a difference of nearly equal numbers.
 * Q(1, x) = e^{−x}.
 */
export function regularizedGammaQ(a: number, x: number): number {
  if (!(a > 0) || !(x >= 0)) throw new RangeError(`regularizedGammaQ needs a > 0 and x ≥ 0, got a = ${a}, x = ${x}`);
  if (x === 0) return 1;
  const prefactor = Math.exp(-x + a * Math.log(x) - logGamma(a));
  if (x < a + 1) {
    let term = 1 / a;
    let series = term;
    for (let n = 1; n < MAX_ITERATIONS; n++) {
      term *= x / (a + n);
      series += term;
      if (term < series * RELATIVE_EPSILON) return Math.max(0, 1 - prefactor * series);
    }
  } else {
    const tiny = 1e-300;
    let b = x + 1 - a;
    let c = 1 / tiny;
    let d = 1 / b;
    let fraction = d;
    for (let i = 1; i < MAX_ITERATIONS; i++) {
      const an = -i * (i - a);
      b += 2;
      d = an * d + b;
      if (Math.abs(d) < tiny) d = tiny;
      c = b + an / c;
      if (Math.abs(c) < tiny) c = tiny;
      d = 1 / d;
      fraction *= d * c;
      if (Math.abs(d * c - 1) < RELATIVE_EPSILON) return Math.min(1, prefactor * fraction);
    }
  }
  throw new Error(`regularizedGammaQ(${a}, ${x}) did not converge`);
}

/**
 * The chi-square survival function, P(X ≥ x) for df degrees of freedom: Q(df/2, x/2).
 * Examples (the textbook table): x = 3.841 at df 1 → 0.05; 5.991 at df 2 → 0.05; 9.210 at df 2 → 0.01
 * (at df 2 it is exactly e^{−x/2}: e^{−4.605} = 0.0100).
 */
export function chiSquareSurvival(x: number, df: number): number {
  if (!Number.isInteger(df) || df < 1) throw new RangeError(`chiSquareSurvival needs a positive integer df, got ${df}`);
  return regularizedGammaQ(df / 2, Math.max(0, x) / 2);
}

/**
 * Pearson's chi-square test of homogeneity on the 2×k table of reference and production counts per
 * category (categories of the union; one with no observation on either side is dropped):
 *
 *   E_rj = R_r · C_j / N,  χ² = Σ_rj (O_rj − E_rj)² / E_rj,  df = k − 1,  p = Q(df/2, χ²/2)
 *
 * Worked example: reference { a: 60, b: 40 }, production { a: 40, b: 60 }: R = 100, 100, C = 100, 100,
 * N = 200, so every E = 50 and χ² = 4 · 10²/50 = 8 at df 1; p = erfc(2) ≈ 0.00468.
 * Beyond minObservations per side it refuses a verdict when N < 100 or when more than 20% of the cells
 * expect fewer than 5 observations (Cochran's rule): the chi-square approximation fails there.
 * With a single category left both sides agree entirely: χ² = 0, df = 0, p = 1.
 */
export function chiSquareTest(
  reference: CategoryCounts,
  production: CategoryCounts,
  minObservations = 100,
): Guarded<{ statistic: number; df: number; pValue: number }> {
  validateCategoricalPair(reference, production);
  const [n1, n2] = [observationCount(reference), observationCount(production)];
  const reason = tooFew(n1, n2, minObservations);
  if (reason) return { status: 'INSUFFICIENT_DATA', reason };
  const total = n1 + n2;
  if (total < CHI_SQUARE_MIN_TOTAL) {
    return {
      status: 'INSUFFICIENT_DATA',
      reason: `${total} observations in all, fewer than the ${CHI_SQUARE_MIN_TOTAL} the chi-square test needs`,
    };
  }
  const { referenceCounts, productionCounts } = alignCategories(reference, production);
  const columns = referenceCounts.map((count, j) => [count, productionCounts[j]]).filter(([a, b]) => a + b > 0);
  const cells = columns.flatMap(([a, b]) => [
    { observed: a, expected: (n1 * (a + b)) / total },
    { observed: b, expected: (n2 * (a + b)) / total },
  ]);
  const sparse = cells.filter((cell) => cell.expected < 5).length;
  if (sparse > 0.2 * cells.length) {
    return {
      status: 'INSUFFICIENT_DATA',
      reason: `${sparse} of ${cells.length} cells expect fewer than 5 observations (more than 20%): too few per category for the chi-square test`,
    };
  }
  const df = columns.length - 1;
  if (df === 0) return { status: 'OK', statistic: 0, df: 0, pValue: 1 };
  const statistic = sum(cells.map(({ observed, expected }) => (observed - expected) ** 2 / expected));
  return { status: 'OK', statistic, df, pValue: chiSquareSurvival(statistic, df) };
}

/**
 * The severity of one statistic. PSI: CRITICAL from thresholds.psi.critical on (default 0.25), WARNING from
 * thresholds.psi.warning (0.1). A p-value: CRITICAL below thresholds.pValue.critical (0.01), WARNING below
 * thresholds.pValue.warning (0.05). classifyDrift({ psi: 0.12 }) is WARNING; classifyDrift({ pValue: 0.2 }) NONE.
 */
export function classifyDrift(
  value: { psi: number } | { pValue: number },
  thresholds: DriftThresholds = DEFAULT_DRIFT_THRESHOLDS,
): Severity {
  validateThresholds(thresholds);
  if ('psi' in value) {
    if (!isFiniteNumber(value.psi) || value.psi < 0) throw badInput('psi', 'must be a finite non-negative number');
    const { warning, critical } = thresholds.psi;
    return value.psi >= critical ? 'CRITICAL' : value.psi >= warning ? 'WARNING' : 'NONE';
  }
  if (!isFiniteNumber(value.pValue) || value.pValue < 0 || value.pValue > 1) throw badInput('pValue', 'must be a number from 0 to 1');
  const { warning, critical } = thresholds.pValue;
  return value.pValue < critical ? 'CRITICAL' : value.pValue < warning ? 'WARNING' : 'NONE';
}

function validateNumericPair(reference: Histogram, production: NumericDistribution, field = ''): void {
  const at = (side: string) => (field ? `${field}.${side}` : side);
  validateDistribution(reference, at('reference'));
  validateDistribution(production, at('production'));
  if (!isHistogram(reference)) {
    const shape = isCategorical(reference) ? 'categorical' : 'a quantile sketch';
    throw badInput(
      at('reference'),
      `is ${shape}, but a numeric reference must be a histogram: its edges are the bins production is compared on`,
    );
  }
  if (isCategorical(production)) throw badInput(at('production'), 'is categorical but the reference is numeric');
}

function validateCategoricalPair(reference: CategoryCounts, production: CategoryCounts, field = ''): void {
  const at = (side: string) => (field ? `${field}.${side}` : side);
  validateDistribution(reference, at('reference'));
  validateDistribution(production, at('production'));
  if (!isCategorical(reference)) throw badInput(at('reference'), 'is numeric, but categories were expected');
  if (!isCategorical(production)) throw badInput(at('production'), 'is numeric but the reference is categorical');
}

/**
 * The drift of one feature, the test chosen by its type: numeric, PSI decides and KS is reported beside it;
 * categorical, the chi-square test decides (its p-value against thresholds.pValue) and PSI is reported
 * beside it. Too few observations answer INSUFFICIENT_DATA with no severity and no statistics.
 * `field` prefixes the names in refusals: featureDrift(r, p, t, 'features[2]') may refuse
 * 'features[2].production.counts[3]'.
 */
export function featureDrift(
  reference: Distribution,
  production: Distribution,
  thresholds: DriftThresholds = DEFAULT_DRIFT_THRESHOLDS,
  field = '',
): FeatureDrift {
  validateThresholds(thresholds);
  const categorical = shapeOf(reference) === 'CATEGORIES';
  if (categorical) validateCategoricalPair(reference as CategoryCounts, production as CategoryCounts, field);
  else validateNumericPair(reference as Histogram, production as NumericDistribution, field);
  const observations = { reference: observationCount(reference), production: observationCount(production) };
  const insufficient = (reason: string): FeatureDrift => ({
    status: 'INSUFFICIENT_DATA',
    severity: null,
    reason,
    statistics: {},
    observations,
  });

  if (categorical) {
    const [ref, prod] = [reference as CategoryCounts, production as CategoryCounts];
    const chiSquare = chiSquareTest(ref, prod, thresholds.minObservations);
    if (chiSquare.status !== 'OK') return insufficient(chiSquare.reason);
    const psi = categoricalPsi(ref, prod, thresholds.minObservations);
    if (psi.status !== 'OK') return insufficient(psi.reason);
    const { statistic, df, pValue } = chiSquare;
    return {
      status: 'OK',
      severity: classifyDrift({ pValue }, thresholds),
      statistics: { psi: psi.psi, chiSquare: { statistic, df, pValue } },
      observations,
    };
  }

  const [ref, prod] = [reference as Histogram, production as NumericDistribution];
  const psi = numericPsi(ref, prod, thresholds.minObservations);
  if (psi.status !== 'OK') return insufficient(psi.reason);
  const ks = ksTest(ref, prod, thresholds.minObservations);
  if (ks.status !== 'OK') return insufficient(ks.reason);
  return {
    status: 'OK',
    severity: classifyDrift({ psi: psi.psi }, thresholds),
    statistics: { psi: psi.psi, ks: { d: ks.d, pValue: ks.pValue } },
    observations,
  };
}

/**
 * A numeric reference as the histogram production is compared on: a histogram as it is; a quantile sketch
 * (a validation set summarised by a streaming sketch) as the histogram whose edges are its distinct quantile
 * values and whose counts are the sketch's observations between them, rounded to whole observations. Deciles of 1,000 observations make
 * ten bins of 100.
 */
export function referenceHistogram(d: NumericDistribution, field: string): Histogram {
  validateDistribution(d, field);
  if (isHistogram(d)) return d;
  const edges = [...new Set(d.quantiles.map((q) => q.value))].sort((a, b) => a - b);
  if (edges.length < 2) throw badInput(`${field}.quantiles`, 'a reference needs at least two distinct quantile values to make bins');
  // Whole counts, as a histogram has: the sketch's share of each bin, rounded.
  return { binEdges: edges, counts: rebin(d, edges).map((c) => Math.round(c)) };
}
