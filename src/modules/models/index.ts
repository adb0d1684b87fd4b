// The front door of this module: what the composition root and the modules above it may use. They import it from
// here, never a file inside it; files inside the module import each other directly.
export { RegisteredModelEntity } from './model.entity';
export { ModelStatus, RiskTier } from './model.enums';
export type { ModelLoaders } from './model.loaders';
export { lockModel, readModel } from './model.store';
export { ModelPayload, RegisteredModel } from './model.types';
export { modelsModule } from './models.module';
