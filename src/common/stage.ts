/**
 * Lifecycle stage of a model version. Shared because the model list filters on it (models sit below
 * versions in the module order); the versions module registers it with GraphQL.
 */
export enum Stage {
  DEVELOPMENT = 'DEVELOPMENT',
  STAGING = 'STAGING',
  PRODUCTION = 'PRODUCTION',
  ARCHIVED = 'ARCHIVED',
  RETIRED = 'RETIRED',
  REJECTED = 'REJECTED',
}
