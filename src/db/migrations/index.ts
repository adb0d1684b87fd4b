import { RegistryCore1764060000000 } from './1764060000000-registry-core';
import { Lifecycle1764100000000 } from './1764100000000-lifecycle';
import { MetricLatest1764200000000 } from './1764200000000-metric-latest';
import { Hardening1764300000000 } from './1764300000000-hardening';
import { Access1764400000000 } from './1764400000000-access';
import { ModelRetirement1764410000000 } from './1764410000000-model-retirement';
import { Lineage1764500000000 } from './1764500000000-lineage';
import { Events1764550000000 } from './1764550000000-events';
import { Webhooks1764600000000 } from './1764600000000-webhooks';
import { Monitoring1764700000000 } from './1764700000000-monitoring';
import { Artifacts1764800000000 } from './1764800000000-artifacts';
import { Retention1764810000000 } from './1764810000000-retention';
import { WebhookCreatorRole1764850000000 } from './1764850000000-webhook-creator-role';
import { CheckpointRegistry1764900000000 } from './1764900000000-checkpoint-registry';
import { ArtifactFiles1765000000000 } from './1765000000000-artifact-files';
import { ArtifactTrustEvents1765050000000 } from './1765050000000-artifact-trust-events';
import { Trust1765100000000 } from './1765100000000-trust';
import { ArtifactScans1765200000000 } from './1765200000000-artifact-scans';
import { ModelCards1765300000000 } from './1765300000000-model-cards';
import { AuditChainHead1765400000000 } from './1765400000000-audit-chain-head';

/** In timestamp order. Listed, not globbed, so that tsc builds, ts-jest tests and the typeorm CLI see the same set. */
export const migrations = [
  RegistryCore1764060000000,
  Lifecycle1764100000000,
  MetricLatest1764200000000,
  Hardening1764300000000,
  Access1764400000000,
  ModelRetirement1764410000000,
  Lineage1764500000000,
  Events1764550000000,
  Webhooks1764600000000,
  Monitoring1764700000000,
  Artifacts1764800000000,
  Retention1764810000000,
  WebhookCreatorRole1764850000000,
  CheckpointRegistry1764900000000,
  ArtifactFiles1765000000000,
  ArtifactTrustEvents1765050000000,
  Trust1765100000000,
  ArtifactScans1765200000000,
  ModelCards1765300000000,
  AuditChainHead1765400000000,
];
