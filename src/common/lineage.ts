/**
 * What a lineage node is. Shared because the GraphQL interface every lineage node implements (ModelVersion
 * and Deployment among them, in modules below lineage) names it.
 */
export enum LineageNodeKind {
  DATASET = 'DATASET',
  DATASET_VERSION = 'DATASET_VERSION',
  FEATURE = 'FEATURE',
  CODE_COMMIT = 'CODE_COMMIT',
  TRAINING_RUN = 'TRAINING_RUN',
  EXPERIMENT = 'EXPERIMENT',
  /** A job that runs again and again (an Airflow task, a Spark application): its runs are TRAINING_RUN nodes. */
  JOB = 'JOB',
  MODEL_VERSION = 'MODEL_VERSION',
  EVALUATION = 'EVALUATION',
  DEPLOYMENT = 'DEPLOYMENT',
  ENVIRONMENT = 'ENVIRONMENT',
  EXTERNAL = 'EXTERNAL',
}
