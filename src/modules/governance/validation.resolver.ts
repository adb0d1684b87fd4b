import { Arg, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../../graphql/context';
import { type ModelVersionEntity, ModelVersion } from '../versions';
import type { ValidationReportEntity } from './validation.entity';
import type { GovernanceLoaders } from './governance.loaders';
import type { ValidationService } from './validation.service';
import { ValidateModelVersionInput, ValidateModelVersionPayload, ValidationCheck, ValidationReport } from './validation.types';

type Ctx = RequestContext<{ validation: ValidationService }, { governance: GovernanceLoaders }>;

@Resolver(() => ValidationReport)
export class ValidationResolver {
  @Mutation(() => ValidateModelVersionPayload, { description: 'Compares VALIDATION metrics with the baselines and policy checks' })
  async validateModelVersion(@Ctx() ctx: Ctx, @Arg('input', () => ValidateModelVersionInput) input: ValidateModelVersionInput) {
    return { report: await ctx.services.validation.validate(ctx.caller, input.versionId) };
  }

  @FieldResolver(() => [ValidationCheck], { description: 'One row per check, baselines first' })
  async checks(@Root() report: ValidationReportEntity, @Ctx() ctx: Ctx) {
    return (await ctx.loaders.governance.checksOfReport.load(report.id)) ?? [];
  }
}

@Resolver(() => ModelVersion)
export class ValidationVersionFields {
  @FieldResolver(() => ValidationReport, { nullable: true })
  latestValidation(@Root() version: ModelVersionEntity, @Ctx() ctx: Ctx) {
    return ctx.loaders.governance.latestValidation.load(version.id);
  }
}
