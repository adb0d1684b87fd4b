/**
 * Lifecycle stage of a model version. Shared because the model list filters on it (models sit below
 * versions in the module order); registered with GraphQL in models' types, the first to name it.
 */
export enum Stage {
  DEVELOPMENT = 'DEVELOPMENT',
  STAGING = 'STAGING',
  PRODUCTION = 'PRODUCTION',
  ARCHIVED = 'ARCHIVED',
  RETIRED = 'RETIRED',
  REJECTED = 'REJECTED',
}
