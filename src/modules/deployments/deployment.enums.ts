export enum DeploymentStrategy {
  DIRECT = 'DIRECT',
  BLUE_GREEN = 'BLUE_GREEN',
  CANARY = 'CANARY',
  SHADOW = 'SHADOW',
  AB_TEST = 'AB_TEST',
}

export enum DeploymentStatus {
  ACTIVE = 'ACTIVE',
  DRAINING = 'DRAINING',
  ROLLED_BACK = 'ROLLED_BACK',
  ENDED = 'ENDED',
}
