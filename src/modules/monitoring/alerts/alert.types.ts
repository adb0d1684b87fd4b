import { DateTimeISOResolver, GraphQLJSONObject, UUIDResolver } from 'graphql-scalars';
import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Connection } from '../../../graphql/connection';
import { AlertKind, AlertSeverity, AlertStatus, Recommendation } from './alert.enums';

registerEnumType(AlertKind, { name: 'AlertKind' });
registerEnumType(AlertSeverity, { name: 'AlertSeverity' });
registerEnumType(AlertStatus, { name: 'AlertStatus' });
registerEnumType(Recommendation, { name: 'Recommendation', description: 'What automation is told to do about an alert' });
const AlertChange = { RAISED: 'RAISED', ESCALATED: 'ESCALATED' } as const;
registerEnumType(AlertChange, { name: 'AlertChange' });

// ---- inputs ----

@InputType()
export class AlertFilter {
  @Field(() => [UUIDResolver], { nullable: true })
  modelIds?: string[] | null;

  @Field(() => [UUIDResolver], { nullable: true })
  versionIds?: string[] | null;

  @Field(() => [AlertKind], { nullable: true })
  kinds?: AlertKind[] | null;

  @Field(() => [AlertStatus], { nullable: true, description: 'Any when absent' })
  statuses?: AlertStatus[] | null;

  @Field(() => AlertSeverity, { nullable: true })
  minSeverity?: AlertSeverity | null;
}

@InputType()
export class DriftAlertFilter {
  @Field(() => [UUIDResolver], { nullable: true, description: 'Any model you can see when absent' })
  modelIds?: string[] | null;

  @Field(() => AlertSeverity, { nullable: true })
  minSeverity?: AlertSeverity | null;

  @Field(() => [AlertKind], { nullable: true })
  kinds?: AlertKind[] | null;
}

@InputType()
export class AcknowledgeAlertInput {
  @Field(() => UUIDResolver)
  id: string;

  @Field(() => String, { nullable: true })
  note?: string | null;

  @Field(() => Int, { nullable: true })
  expectedRevision?: number | null;
}

@InputType()
export class ResolveAlertInput {
  @Field(() => UUIDResolver)
  id: string;

  @Field(() => String, { nullable: true })
  resolution?: string | null;

  @Field(() => Int, { nullable: true })
  expectedRevision?: number | null;
}

// ---- outputs ----

@ObjectType({ description: 'When the next version of the model reached PRODUCTION after this drift alert' })
export class RetrainGap {
  @Field(() => ID)
  versionId: string;

  @Field(() => Int)
  version: number;

  @Field(() => DateTimeISOResolver)
  reachedProductionAt: Date;

  @Field(() => Float)
  gapSeconds: number;
}

@ObjectType()
export class Alert {
  @Field(() => ID)
  id: string;

  @Field(() => AlertKind)
  kind: AlertKind;

  @Field(() => AlertSeverity)
  severity: AlertSeverity;

  @Field(() => AlertStatus)
  status: AlertStatus;

  @Field({ description: 'The feature or metric' })
  subject: string;

  @Field()
  summary: string;

  @Field(() => GraphQLJSONObject, { description: 'The statistics, values and thresholds behind it' })
  evidence: Record<string, unknown>;

  @Field(() => DateTimeISOResolver, { description: 'The latest window that breached' })
  windowStart: Date;

  @Field(() => DateTimeISOResolver)
  windowEnd: Date;

  @Field(() => Int, { description: 'Breaches counted while open' })
  occurrences: number;

  @Field(() => Recommendation, { nullable: true })
  recommendation: Recommendation | null;

  @Field(() => DateTimeISOResolver)
  raisedAt: Date;

  @Field(() => DateTimeISOResolver)
  lastSeenAt: Date;

  @Field(() => String, { nullable: true })
  acknowledgedBy: string | null;

  @Field(() => DateTimeISOResolver, { nullable: true })
  acknowledgedAt: Date | null;

  @Field(() => String, { nullable: true })
  acknowledgeNote: string | null;

  @Field(() => String, { nullable: true })
  resolvedBy: string | null;

  @Field(() => DateTimeISOResolver, { nullable: true })
  resolvedAt: Date | null;

  @Field(() => String, { nullable: true })
  resolution: string | null;

  @Field(() => Int)
  revision: number;
}

@ObjectType()
export class AlertConnection extends Connection(Alert) {}

@ObjectType()
export class AlertPayload {
  @Field(() => Alert)
  alert: Alert;
}

@ObjectType({ description: 'An alert raised or escalated, as it happened' })
export class AlertEvent {
  @Field({ description: 'Pass it back as `after` to resume right after this alert' })
  cursor: string;

  @Field(() => AlertChange)
  change: string;

  @Field(() => AlertSeverity, { nullable: true })
  previousSeverity: AlertSeverity | null;

  @Field(() => Alert)
  alert: Alert;
}

@ObjectType({ description: 'How long drift waited for a retrained version to reach PRODUCTION' })
export class DriftToRetrain {
  @Field(() => Int)
  driftAlerts: number;

  @Field(() => Int)
  retrained: number;

  @Field(() => Float, { nullable: true })
  medianGapSeconds: number | null;

  @Field(() => Float, { nullable: true })
  maxGapSeconds: number | null;

  @Field(() => DateTimeISOResolver, { nullable: true, description: 'The oldest drift alert no newer version has answered yet' })
  waitingSince: Date | null;
}
