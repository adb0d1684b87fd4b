// The front door of this module: what the composition root and the modules above it may use. They import it from
// here, never a file inside it; files inside the module import each other directly.
export type { DeploymentEntity } from './deployment.entity';
export { DeploymentStatus, DeploymentStrategy } from './deployment.enums';
export type { DeploymentLoaders } from './deployment.loaders';
export type { DeploymentService } from './deployment.service';
export { Deployment } from './deployment.types';
export { deploymentsModule } from './deployments.module';
