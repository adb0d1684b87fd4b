import { badInput } from '../../common/errors';
import { validateJson, type JsonBounds } from '../../common/json';
import { Role } from '../../common/role';
import { RiskTier } from '../models/model.enums';
import { Stage } from '../versions/version.enums';
import { Comparator } from './governance.enums';

export interface MetricRule {
  metric: string;
  comparator: Comparator;
  threshold: number;
}

/** Gated target stages: approvals can be required for either. */
export type GatedStage = Stage.STAGING | Stage.PRODUCTION;

/** Only STAGING and PRODUCTION are gated; other moves have no gates. */
export function isGated(stage: Stage): stage is GatedStage {
  return stage === Stage.STAGING || stage === Stage.PRODUCTION;
}

/** A policy, fully resolved: what the document said, with the tier's defaults for what it did not. */
export interface Policy {
  requiredChecks: MetricRule[];
  maxValidationAgeHours: number;
  separationOfDuties: boolean;
  approverRole: Role;
  approvals: Record<GatedStage, number>;
}

/** The policy document as stored: every field optional. */
export type PolicyDocument = Partial<{
  requiredChecks: string[];
  maxValidationAgeHours: number;
  separationOfDuties: boolean;
  approverRole: string;
  approvals: Partial<Record<GatedStage, number>>;
}>;

/** With no policy set: a passing validation for every tier; 1 approval for MEDIUM and 2 for HIGH; separated duties. */
export function defaultPolicy(tier: RiskTier): Policy {
  return {
    requiredChecks: [],
    maxValidationAgeHours: 7 * 24,
    separationOfDuties: true,
    approverRole: Role.APPROVER,
    approvals: { STAGING: 0, PRODUCTION: tier === RiskTier.HIGH ? 2 : tier === RiskTier.MEDIUM ? 1 : 0 },
  };
}

/** A policy document is small: a few settings and at most 100 checks. */
const POLICY_JSON: JsonBounds = { maxBytes: 16 * 1024, maxDepth: 3, maxEntries: 200 };

const CHECK = /^\s*([A-Za-z_][A-Za-z0-9_.:/-]*)\s*(>=|<=)\s*(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)\s*$/;
const KEYS = ['requiredChecks', 'maxValidationAgeHours', 'separationOfDuties', 'approverRole', 'approvals'];
const APPROVER_ROLES: string[] = [Role.APPROVER, Role.ADMIN];

/** parseCheck('fairness_score >= 0.9') → { metric: 'fairness_score', comparator: 'GTE', threshold: 0.9 } */
export function parseCheck(text: string, field: string): MetricRule {
  const match = typeof text === 'string' ? CHECK.exec(text) : null;
  if (!match) {
    const got = typeof text === 'string' ? JSON.stringify(text) : `a ${typeof text}`;
    throw badInput(field, `expected "<metric> >= <number>" or "<metric> <= <number>", got ${got}`);
  }
  return { metric: match[1], comparator: match[2] === '>=' ? Comparator.GTE : Comparator.LTE, threshold: Number(match[3]) };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function wholeNumber(value: unknown, field: string, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) {
    throw badInput(field, `must be a whole number from 0 to ${max}`);
  }
  return value;
}

/**
 * Checks a policy document and resolves it over the tier's defaults. Errors name the bad part,
 * e.g. `document.requiredChecks[1]` or `document.approvals.PRODUCTION`.
 */
export function parsePolicy(document: unknown, tier: RiskTier): Policy {
  if (!isObject(document)) throw badInput('document', 'must be a JSON object');
  validateJson(document, 'document', POLICY_JSON);
  for (const key of Object.keys(document)) {
    if (!KEYS.includes(key)) throw badInput(`document.${key}`, `unknown field; known fields are ${KEYS.join(', ')}`);
  }
  const policy = defaultPolicy(tier);
  const doc = document as Record<string, unknown>;
  if (doc.requiredChecks !== undefined) {
    if (!Array.isArray(doc.requiredChecks)) throw badInput('document.requiredChecks', 'must be a list of checks');
    policy.requiredChecks = doc.requiredChecks.map((c, i) => parseCheck(c as string, `document.requiredChecks[${i}]`));
  }
  if (doc.maxValidationAgeHours !== undefined) {
    policy.maxValidationAgeHours = wholeNumber(doc.maxValidationAgeHours, 'document.maxValidationAgeHours', 24 * 365);
    if (policy.maxValidationAgeHours === 0) throw badInput('document.maxValidationAgeHours', 'must be at least 1');
  }
  if (doc.separationOfDuties !== undefined) {
    if (typeof doc.separationOfDuties !== 'boolean') throw badInput('document.separationOfDuties', 'must be true or false');
    policy.separationOfDuties = doc.separationOfDuties;
  }
  if (doc.approverRole !== undefined) {
    if (!APPROVER_ROLES.includes(doc.approverRole as string)) throw badInput('document.approverRole', 'must be APPROVER or ADMIN');
    policy.approverRole = doc.approverRole as Role;
  }
  if (doc.approvals !== undefined) {
    if (!isObject(doc.approvals)) throw badInput('document.approvals', 'must be an object such as { "PRODUCTION": 2 }');
    for (const [stage, count] of Object.entries(doc.approvals)) {
      if (!isGated(stage as Stage)) throw badInput(`document.approvals.${stage}`, 'only STAGING and PRODUCTION take approvals');
      policy.approvals[stage as GatedStage] = wholeNumber(count, `document.approvals.${stage}`, 10);
    }
  }
  return policy;
}
