import { DateTimeISOResolver, UUIDResolver } from 'graphql-scalars';
import { Field, Float, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { RegisteredModel } from '../models';
import { ModelVersion, Stage } from '../versions';

/** The sections of a model card (governance's CARD_SECTIONS), as a GraphQL enum. */
export enum ModelCardSection {
  INTENDED_USE = 'INTENDED_USE',
  USERS = 'USERS',
  OUT_OF_SCOPE_USES = 'OUT_OF_SCOPE_USES',
  LIMITATIONS = 'LIMITATIONS',
  PERFORMANCE_TRADEOFFS = 'PERFORMANCE_TRADEOFFS',
  ETHICAL_CONSIDERATIONS = 'ETHICAL_CONSIDERATIONS',
  FAIRNESS_ASSESSMENTS = 'FAIRNESS_ASSESSMENTS',
  ENVIRONMENTAL_CONSIDERATIONS = 'ENVIRONMENTAL_CONSIDERATIONS',
  APPROACH = 'APPROACH',
  TASK = 'TASK',
  DATA_DESCRIPTION = 'DATA_DESCRIPTION',
  CAVEATS_AND_RECOMMENDATIONS = 'CAVEATS_AND_RECOMMENDATIONS',
  OWNERS = 'OWNERS',
  LICENSE = 'LICENSE',
}

registerEnumType(ModelCardSection, {
  name: 'ModelCardSection',
  description: 'A people-written section of a model card (CycloneDX 1.6 modelCard), as policies name them',
});

@ObjectType({ description: 'considerations.ethicalConsiderations[]: a risk and how it is mitigated' })
export class EthicalConsideration {
  @Field()
  name: string;

  @Field(() => String, { nullable: true })
  mitigationStrategy: string | null;
}

@ObjectType({ description: 'considerations.fairnessAssessments[], per group or slice, with the metric measured and on what data' })
export class FairnessAssessment {
  @Field()
  groupAtRisk: string;

  @Field(() => String, { nullable: true })
  benefits: string | null;

  @Field(() => String, { nullable: true })
  harms: string | null;

  @Field(() => String, { nullable: true })
  mitigationStrategy: string | null;

  @Field(() => String, { nullable: true, description: 'e.g. demographic_parity_difference' })
  metric: string | null;

  @Field(() => Float, { nullable: true })
  value: number | null;

  @Field(() => String, { nullable: true, description: 'The data the value was measured on (a dataset and its version)' })
  measuredOn: string | null;
}

@ObjectType({ description: 'An owner or contact of the model' })
export class CardContact {
  @Field()
  name: string;

  @Field(() => String, { nullable: true, description: 'An e-mail address or a URL' })
  contact: string | null;
}

@ObjectType({ description: 'One section: written or not, last edited when and by whom, and stale when older than the newest validation' })
export class ModelCardSectionState {
  @Field(() => ModelCardSection)
  section: ModelCardSection;

  @Field()
  written: boolean;

  @Field(() => DateTimeISOResolver, { nullable: true })
  editedAt: Date | null;

  @Field(() => String, { nullable: true })
  editedBy: string | null;

  @Field({ description: "Written, and last edited before the version's newest validation report" })
  stale: boolean;
}

@ObjectType({ description: 'What the policy in force asks of this card, and what is missing' })
export class ModelCardCompleteness {
  @Field(() => Stage, { description: 'From this stage on (STAGING: PRODUCTION too) the MODEL_CARD_COMPLETE gate applies' })
  gateStage: Stage;

  @Field(() => [ModelCardSection], { description: "The sections the policy names for the model's risk tier" })
  required: ModelCardSection[];

  @Field(() => [ModelCardSection], { description: 'Required sections not written (or stale, when the policy counts stale as missing)' })
  missing: ModelCardSection[];

  @Field(() => [ModelCardSection], { description: 'Required sections written but stale' })
  stale: ModelCardSection[];

  @Field({ description: 'Whether the staleness of a section counts as missing (policy modelCard.staleIsMissing)' })
  staleIsMissing: boolean;

  @Field()
  complete: boolean;
}

@ObjectType({
  description:
    "A version's model card: the people-written sections (CycloneDX 1.6 modelCard fields) and, through `model` and `version`, what the registry knows (stage history, reproducibility, lineage, validation, approvals, files, signatures, scans, deployments)",
})
export class ModelCard {
  @Field(() => UUIDResolver)
  versionId: string;

  @Field(() => RegisteredModel, { description: 'The model: name, risk tier, owner, tags' })
  model: unknown;

  @Field(() => ModelVersion, {
    description:
      'The version, filled by the registry: stage, stageHistory, reproducibility, upstream (datasets), latestValidation, approvals, artifact (files, digests, scan), signatures, deployments',
  })
  version: unknown;

  @Field(() => Int, { description: 'Increases on every edit; 0 for a card never edited. Pass it back as expectedRevision' })
  revision: number;

  @Field(() => Int, {
    nullable: true,
    description:
      "Before this version's first edit, its card is the one of the model's nearest earlier version that has one, carried forward with each section's editor and time: that version's number. Null once the version's card is edited, or when none is carried",
  })
  carriedFromVersion: number | null;

  @Field(() => DateTimeISOResolver, { nullable: true })
  updatedAt: Date | null;

  @Field(() => String, { nullable: true })
  updatedBy: string | null;

  @Field(() => [String], { description: 'considerations.useCases: the intended uses (INTENDED_USE)' })
  useCases: string[];

  @Field(() => [String], { description: 'considerations.users: the intended users (USERS)' })
  users: string[];

  @Field(() => [String], { description: 'Uses the model is not meant for (OUT_OF_SCOPE_USES)' })
  outOfScopeUses: string[];

  @Field(() => [String], { description: 'considerations.technicalLimitations (LIMITATIONS)' })
  technicalLimitations: string[];

  @Field(() => [String], { description: 'considerations.performanceTradeoffs (PERFORMANCE_TRADEOFFS)' })
  performanceTradeoffs: string[];

  @Field(() => [EthicalConsideration], { description: 'considerations.ethicalConsiderations (ETHICAL_CONSIDERATIONS)' })
  ethicalConsiderations: EthicalConsideration[];

  @Field(() => [FairnessAssessment], { description: 'considerations.fairnessAssessments (FAIRNESS_ASSESSMENTS)' })
  fairnessAssessments: FairnessAssessment[];

  @Field(() => String, {
    nullable: true,
    description: 'considerations.environmentalConsiderations, as text (ENVIRONMENTAL_CONSIDERATIONS)',
  })
  environmentalConsiderations: string | null;

  @Field(() => String, { nullable: true, description: 'modelParameters.approach.type: supervised, unsupervised, … (APPROACH)' })
  approach: string | null;

  @Field(() => String, { nullable: true, description: 'modelParameters.task, e.g. classification (TASK)' })
  task: string | null;

  @Field(() => String, { nullable: true, description: 'The training and evaluation data, described (DATA_DESCRIPTION)' })
  dataDescription: string | null;

  @Field(() => [String], { description: 'Caveats and recommendations (CAVEATS_AND_RECOMMENDATIONS)' })
  caveatsAndRecommendations: string[];

  @Field(() => [CardContact], { description: 'Owners and contacts (OWNERS)' })
  owners: CardContact[];

  @Field(() => String, { nullable: true, description: 'An SPDX license expression (LICENSE)' })
  license: string | null;

  @Field(() => [ModelCardSectionState], { description: 'Every section, in the order of ModelCardSection' })
  sections: ModelCardSectionState[];

  @Field(() => DateTimeISOResolver, {
    nullable: true,
    description: "The version's newest validation report: sections edited before it are stale",
  })
  newestValidationAt: Date | null;

  @Field(() => ModelCardCompleteness)
  completeness: ModelCardCompleteness;

  @Field(() => Int, { description: 'Alerts on this version not resolved (OPEN or ACKNOWLEDGED): see alerts(filter)' })
  openAlerts: number;

  /** The model's id, for the fields resolved from it (objectiveStatus); not a field. */
  modelId: string;
}

@InputType()
export class EthicalConsiderationInput {
  @Field({ description: 'The risk, at most 2,000 characters' })
  name: string;

  @Field(() => String, { nullable: true, description: 'At most 2,000 characters' })
  mitigationStrategy?: string | null;
}

@InputType()
export class FairnessAssessmentInput {
  @Field({ description: 'The group or slice, at most 200 characters' })
  groupAtRisk: string;

  @Field(() => String, { nullable: true, description: 'At most 2,000 characters' })
  benefits?: string | null;

  @Field(() => String, { nullable: true, description: 'At most 2,000 characters' })
  harms?: string | null;

  @Field(() => String, { nullable: true, description: 'At most 2,000 characters' })
  mitigationStrategy?: string | null;

  @Field(() => String, { nullable: true, description: 'The metric measured on the slice, at most 200 characters (with value)' })
  metric?: string | null;

  @Field(() => Float, { nullable: true, description: 'Its value (with metric)' })
  value?: number | null;

  @Field(() => String, { nullable: true, description: 'The data it was measured on, at most 500 characters' })
  measuredOn?: string | null;
}

@InputType()
export class CardContactInput {
  @Field({ description: 'At most 200 characters' })
  name: string;

  @Field(() => String, { nullable: true, description: 'At most 320 characters' })
  contact?: string | null;
}

@InputType({
  description: 'The sections to write: each one given replaces that section; an empty list or text removes it; one left out is kept',
})
export class ModelCardSectionsInput {
  @Field(() => [String], { nullable: true, description: 'At most 50 entries of 2,000 characters (each list alike)' })
  useCases?: string[] | null;

  @Field(() => [String], { nullable: true })
  users?: string[] | null;

  @Field(() => [String], { nullable: true })
  outOfScopeUses?: string[] | null;

  @Field(() => [String], { nullable: true })
  technicalLimitations?: string[] | null;

  @Field(() => [String], { nullable: true })
  performanceTradeoffs?: string[] | null;

  @Field(() => [EthicalConsiderationInput], { nullable: true, description: 'At most 50' })
  ethicalConsiderations?: EthicalConsiderationInput[] | null;

  @Field(() => [FairnessAssessmentInput], { nullable: true, description: 'At most 100' })
  fairnessAssessments?: FairnessAssessmentInput[] | null;

  @Field(() => String, { nullable: true, description: 'At most 10,000 characters' })
  environmentalConsiderations?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'supervised, unsupervised, reinforcement-learning, semi-supervised or self-supervised',
  })
  approach?: string | null;

  @Field(() => String, { nullable: true, description: 'At most 200 characters' })
  task?: string | null;

  @Field(() => String, { nullable: true, description: 'At most 10,000 characters' })
  dataDescription?: string | null;

  @Field(() => [String], { nullable: true })
  caveatsAndRecommendations?: string[] | null;

  @Field(() => [CardContactInput], { nullable: true, description: 'At most 50' })
  owners?: CardContactInput[] | null;

  @Field(() => String, { nullable: true, description: 'An SPDX license expression, at most 100 characters' })
  license?: string | null;
}

@InputType()
export class UpdateModelCardInput {
  @Field(() => UUIDResolver)
  versionId: string;

  @Field(() => Int, { description: 'The revision you read (0 for a card never edited): a stale one is refused with CONFLICT' })
  expectedRevision: number;

  @Field(() => ModelCardSectionsInput)
  sections: ModelCardSectionsInput;
}

@ObjectType()
export class UpdateModelCardPayload {
  @Field(() => ModelCard)
  card: ModelCard;
}
