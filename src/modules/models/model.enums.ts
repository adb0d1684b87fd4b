export enum RiskTier {
  LOW = 'LOW',
  MEDIUM = 'MEDIUM',
  HIGH = 'HIGH',
}

export enum ModelStatus {
  ACTIVE = 'ACTIVE',
  RETIRED = 'RETIRED',
}
