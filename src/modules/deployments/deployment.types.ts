import { DateTimeISOResolver, UUIDResolver } from 'graphql-scalars';
import { LineageNode } from '../../graphql/lineage-node';
import { Directive, Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Connection } from '../../graphql/connection';
import { DeploymentStatus, DeploymentStrategy } from './deployment.enums';

registerEnumType(DeploymentStrategy, { name: 'DeploymentStrategy' });
registerEnumType(DeploymentStatus, { name: 'DeploymentStatus' });

@ObjectType({ description: 'Where a version runs; a node of the lineage graph', implements: LineageNode })
@Directive('@key(fields: "id")')
export class Deployment {
  @Field(() => ID)
  id: string;

  @Field({ description: 'e.g. staging, production, edge-eu' })
  environment: string;

  @Field()
  endpoint: string;

  @Field(() => DeploymentStrategy)
  strategy: DeploymentStrategy;

  @Field(() => Float)
  trafficPercent: number;

  @Field(() => DeploymentStatus)
  status: DeploymentStatus;

  @Field(() => String, { nullable: true, description: 'Why a version outside STAGING/PRODUCTION was deployed anyway' })
  overrideReason: string | null;

  @Field()
  createdBy: string;

  @Field(() => DateTimeISOResolver)
  createdAt: Date;

  @Field(() => DateTimeISOResolver)
  updatedAt: Date;

  @Field(() => DateTimeISOResolver, { nullable: true })
  endedAt: Date | null;

  @Field(() => Int)
  revision: number;
}

@ObjectType()
export class DeploymentConnection extends Connection(Deployment) {}

@InputType()
export class RecordDeploymentInput {
  @Field(() => UUIDResolver)
  versionId: string;

  @Field()
  environment: string;

  @Field()
  endpoint: string;

  @Field(() => DeploymentStrategy, { defaultValue: DeploymentStrategy.DIRECT })
  strategy: DeploymentStrategy;

  @Field(() => Float, { defaultValue: 100 })
  trafficPercent: number;

  @Field(() => String, { nullable: true, description: 'Required when the version is not in STAGING or PRODUCTION' })
  overrideReason?: string;
}

@InputType()
export class UpdateDeploymentInput {
  @Field(() => UUIDResolver)
  id: string;

  @Field(() => Int, { nullable: true })
  expectedRevision?: number;

  @Field(() => Float, { nullable: true })
  trafficPercent?: number;

  @Field(() => DeploymentStatus, { nullable: true })
  status?: DeploymentStatus;
}

@InputType()
export class EndDeploymentInput {
  @Field(() => UUIDResolver)
  id: string;
}

@ObjectType()
export class DeploymentPayload {
  @Field(() => Deployment)
  deployment: Deployment;
}
