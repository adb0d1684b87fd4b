import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import type { Caller } from '../../src/common/caller';
import type { Services } from '../../src/composition';
import { Role } from '../../src/common/role';
import { MetricSource } from '../../src/modules/metrics/metric.enums';
import { Stage } from '../../src/modules/versions/version.enums';
import type { RegisterVersionInput } from '../../src/modules/versions/version.service';
import { registration, SHA } from './fixtures';
import { BaselineReference, Comparator, Decision } from '../../src/modules/governance/governance.enums';

export interface Approver {
  caller: Caller;
  privateKey: KeyObject;
  publicKeyPem: string;
}

export function caller(subject: string, role: Role): Caller {
  return { tokenId: `token-${subject}`, subject, role, requestId: `req-${subject}` };
}

export function keyPair(): { privateKey: KeyObject; publicKeyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { privateKey, publicKeyPem: publicKey.export({ format: 'pem', type: 'spki' }).toString() };
}

/** Ed25519 signature of a challenge message, base64, as an approver's tool would make it. */
export function signMessage(message: string, privateKey: KeyObject): string {
  return sign(null, Buffer.from(message), privateKey).toString('base64');
}

export async function newApprover(s: Services, subject: string, role = Role.APPROVER): Promise<Approver> {
  const keys = keyPair();
  const who = caller(subject, role);
  await s.approvals.registerApproverKey(who, keys.publicKeyPem);
  return { caller: who, ...keys };
}

/** A signed decision through the services, as the API does it. */
export async function decide(
  s: Services,
  approver: Approver,
  versionId: string,
  targetStage: Stage,
  decision: Decision = Decision.APPROVED,
) {
  const { message, signedAt } = await s.approvals.challenge(approver.caller, versionId, targetStage, decision);
  return s.approvals.decide(
    approver.caller,
    { versionId, targetStage, signedAt, signature: signMessage(message, approver.privateKey) },
    decision,
  );
}

/** The baseline the versions below are validated against: auc >= 0.8 (they log 0.9 unless told otherwise). */
export function aucBaseline(s: Services, who: Caller, modelId: string) {
  return s.policy.setBaseline(who, {
    modelId,
    metric: 'auc',
    comparator: Comparator.GTE,
    reference: BaselineReference.FIXED,
    threshold: 0.8,
  });
}

/** A registration whose artifact already exists (READY). */
export function readyRegistration(modelId: string, overrides: Partial<RegisterVersionInput> = {}): RegisterVersionInput {
  return {
    ...(registration() as RegisterVersionInput),
    modelId,
    artifact: { format: 'ONNX' as never, uri: 's3://models/m.onnx', sha256: SHA('e'), sizeBytes: 4096 },
    ...overrides,
  };
}

/**
 * Takes a new version of `modelId` to STAGING with a passing validation (auc must be >= 0.8 per
 * the model's baseline) and the given approvals for PRODUCTION.
 */
export async function stagedVersion(
  s: Services,
  registrant: Caller,
  modelId: string,
  approvers: Approver[],
  auc = 0.9,
  overrides: Partial<RegisterVersionInput> = {},
) {
  const { version } = await s.versions.register(registrant, readyRegistration(modelId, overrides));
  await s.metrics.log(registrant, { versionId: version.id, metrics: [{ name: 'auc', value: auc, source: MetricSource.VALIDATION }] });
  await s.validation.validate(registrant, version.id);
  await s.transitions.transition(registrant, { versionId: version.id, toStage: Stage.STAGING, expectedStage: Stage.DEVELOPMENT });
  for (const approver of approvers) await decide(s, approver, version.id, Stage.PRODUCTION);
  return version;
}
