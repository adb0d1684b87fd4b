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
  /** The SIGNED gate: from this stage on, a verified model signature by one of these signers. Null: not required. */
  requiredSignatures: SignatureRule | null;
  /** The SCANNED gate: from this stage on, no stored file's scan as bad as `block`. */
  scan: ScanRule;
  /** The MODEL_CARD_COMPLETE gate: from this stage on, these sections of the version's model card written. */
  modelCard: CardRule;
}

/**
 * The sections of a model card (cards module) a policy may require. INTENDED_USE is the card's use cases, LIMITATIONS
 * its technical limitations, FAIRNESS_ASSESSMENTS at least one assessment; each other name is its one section.
 */
export const CARD_SECTIONS = [
  'INTENDED_USE',
  'USERS',
  'OUT_OF_SCOPE_USES',
  'LIMITATIONS',
  'PERFORMANCE_TRADEOFFS',
  'ETHICAL_CONSIDERATIONS',
  'FAIRNESS_ASSESSMENTS',
  'ENVIRONMENTAL_CONSIDERATIONS',
  'APPROACH',
  'TASK',
  'DATA_DESCRIPTION',
  'CAVEATS_AND_RECOMMENDATIONS',
  'OWNERS',
  'LICENSE',
] as const;
export type CardSection = (typeof CARD_SECTIONS)[number];

/**
 * `sections`: what the card must hold from `stage` on (none: the gate does not apply). `staleIsMissing`: a section
 * last edited before the version's newest validation counts as missing.
 */
export interface CardRule {
  stage: GatedStage;
  sections: CardSection[];
  staleIsMissing: boolean;
}

/** By tier, with no policy set: HIGH needs intended use, limitations, ethical considerations and fairness before PRODUCTION. */
export function defaultCardRule(tier: RiskTier): CardRule {
  return {
    stage: Stage.PRODUCTION,
    sections: tier === RiskTier.HIGH ? ['INTENDED_USE', 'LIMITATIONS', 'ETHICAL_CONSIDERATIONS', 'FAIRNESS_ASSESSMENTS'] : [],
    staleIsMissing: false,
  };
}

/**
 * `signers` are names of trusted signers (registerSigningKey, trustCertificateAuthority, trustSigstoreIdentity);
 * one valid signature by any of them passes. An empty list: any signer the registry trusts for the model.
 */
export interface SignatureRule {
  stage: GatedStage;
  signers: string[];
}

/**
 * `block`: the verdict that fails the gate (DANGEROUS, or SUSPICIOUS for DANGEROUS and SUSPICIOUS alike).
 * `requireScanned`: a file with no scan report (registered by reference, or stored before scanning) fails too.
 */
export interface ScanRule {
  stage: GatedStage;
  block: 'DANGEROUS' | 'SUSPICIOUS';
  requireScanned: boolean;
}

/** Whether a gate that applies `from` a stage applies to a move to `target`: STAGING's apply to PRODUCTION too. */
export function appliesFrom(from: GatedStage, target: Stage): boolean {
  return isGated(target) && (from === Stage.STAGING || target === Stage.PRODUCTION);
}

/** The policy document as stored: every field optional. */
export type PolicyDocument = Partial<{
  requiredChecks: string[];
  maxValidationAgeHours: number;
  separationOfDuties: boolean;
  approverRole: string;
  approvals: Partial<Record<GatedStage, number>>;
  requiredSignatures: { stage?: string; signers?: string[] };
  scan: { stage?: string; block?: string; requireScanned?: boolean };
  modelCard: { stage?: string; sections?: string[]; staleIsMissing?: boolean };
}>;

/**
 * With no policy set: a passing validation for every tier; 1 approval for MEDIUM and 2 for HIGH; separated duties;
 * nothing DANGEROUS in a scanned file from STAGING on; no signature required; for HIGH, a model card with intended
 * use, limitations, ethical considerations and a fairness assessment before PRODUCTION (defaultCardRule).
 */
export function defaultPolicy(tier: RiskTier): Policy {
  return {
    requiredChecks: [],
    maxValidationAgeHours: 7 * 24,
    separationOfDuties: true,
    approverRole: Role.APPROVER,
    approvals: { STAGING: 0, PRODUCTION: tier === RiskTier.HIGH ? 2 : tier === RiskTier.MEDIUM ? 1 : 0 },
    requiredSignatures: null,
    scan: { stage: Stage.STAGING, block: 'DANGEROUS', requireScanned: false },
    modelCard: defaultCardRule(tier),
  };
}

/** A policy document is small: a few settings and at most 100 checks. */
const POLICY_JSON: JsonBounds = { maxBytes: 16 * 1024, maxDepth: 3, maxEntries: 200 };

const CHECK = /^\s*([A-Za-z_][A-Za-z0-9_.:/-]*)\s*(>=|<=)\s*(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)\s*$/;
const KEYS = [
  'requiredChecks',
  'maxValidationAgeHours',
  'separationOfDuties',
  'approverRole',
  'approvals',
  'requiredSignatures',
  'scan',
  'modelCard',
];
/** Signer names are those of trusted signers: short, and a handful per policy. */
const MAX_SIGNERS = 50;
const MAX_SIGNER_NAME = 200;
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
  if (doc.requiredSignatures !== undefined && doc.requiredSignatures !== null) {
    policy.requiredSignatures = parseSignatureRule(doc.requiredSignatures, 'document.requiredSignatures');
  }
  if (doc.scan !== undefined) policy.scan = parseScanRule(doc.scan, policy.scan, 'document.scan');
  if (doc.modelCard !== undefined) policy.modelCard = parseCardRule(doc.modelCard, policy.modelCard, 'document.modelCard');
  return policy;
}

function gatedStage(value: unknown, field: string): GatedStage {
  if (!isGated(value as Stage)) throw badInput(field, 'must be STAGING or PRODUCTION');
  return value as GatedStage;
}

function onlyKeys(value: Record<string, unknown>, keys: string[], field: string): void {
  for (const key of Object.keys(value)) {
    if (!keys.includes(key)) throw badInput(`${field}.${key}`, `unknown field; known fields are ${keys.join(', ')}`);
  }
}

/** { "stage": "PRODUCTION", "signers": ["release-key"] } */
function parseSignatureRule(value: unknown, field: string): SignatureRule {
  if (!isObject(value)) throw badInput(field, 'must be an object such as { "stage": "PRODUCTION", "signers": ["release-key"] }');
  onlyKeys(value, ['stage', 'signers'], field);
  const signers = value.signers ?? [];
  if (!Array.isArray(signers) || signers.length > MAX_SIGNERS)
    throw badInput(`${field}.signers`, `must be a list of at most ${MAX_SIGNERS} signer names`);
  signers.forEach((name, i) => {
    if (typeof name !== 'string' || name.trim() === '' || name.length > MAX_SIGNER_NAME) {
      throw badInput(`${field}.signers[${i}]`, `must be the name of a trusted signer (1 to ${MAX_SIGNER_NAME} characters)`);
    }
  });
  return { stage: gatedStage(value.stage ?? Stage.PRODUCTION, `${field}.stage`), signers: [...new Set(signers as string[])] };
}

/** { "stage": "STAGING", "block": "SUSPICIOUS", "requireScanned": true }, each optional over the default. */
function parseScanRule(value: unknown, defaults: ScanRule, field: string): ScanRule {
  if (!isObject(value)) throw badInput(field, 'must be an object such as { "stage": "STAGING", "block": "DANGEROUS" }');
  onlyKeys(value, ['stage', 'block', 'requireScanned'], field);
  const rule = { ...defaults };
  if (value.stage !== undefined) rule.stage = gatedStage(value.stage, `${field}.stage`);
  if (value.block !== undefined) {
    if (value.block !== 'DANGEROUS' && value.block !== 'SUSPICIOUS') throw badInput(`${field}.block`, 'must be DANGEROUS or SUSPICIOUS');
    rule.block = value.block;
  }
  if (value.requireScanned !== undefined) {
    if (typeof value.requireScanned !== 'boolean') throw badInput(`${field}.requireScanned`, 'must be true or false');
    rule.requireScanned = value.requireScanned;
  }
  return rule;
}

/** { "stage": "STAGING", "sections": ["INTENDED_USE", "LIMITATIONS"], "staleIsMissing": true }, each optional over the tier's default. */
function parseCardRule(value: unknown, defaults: CardRule, field: string): CardRule {
  if (!isObject(value)) throw badInput(field, 'must be an object such as { "stage": "PRODUCTION", "sections": ["INTENDED_USE"] }');
  onlyKeys(value, ['stage', 'sections', 'staleIsMissing'], field);
  const rule = { ...defaults, sections: [...defaults.sections] };
  if (value.stage !== undefined) rule.stage = gatedStage(value.stage, `${field}.stage`);
  if (value.sections !== undefined) {
    if (!Array.isArray(value.sections) || value.sections.length > CARD_SECTIONS.length)
      throw badInput(`${field}.sections`, `must be a list of at most ${CARD_SECTIONS.length} section names`);
    value.sections.forEach((name, i) => {
      if (!CARD_SECTIONS.includes(name as CardSection))
        throw badInput(`${field}.sections[${i}]`, `must be one of ${CARD_SECTIONS.join(', ')}`);
    });
    rule.sections = [...new Set(value.sections as CardSection[])];
  }
  if (value.staleIsMissing !== undefined) {
    if (typeof value.staleIsMissing !== 'boolean') throw badInput(`${field}.staleIsMissing`, 'must be true or false');
    rule.staleIsMissing = value.staleIsMissing;
  }
  return rule;
}
