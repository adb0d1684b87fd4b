// The front door of this module: what the composition root and the modules above it may use. They import it from
// here, never a file inside it; files inside the module import each other directly.
export type { ArtifactStore } from './artifact-store';
export { coldKey, storeKeyOf } from './artifact.rules';
export type { ArtifactPlace } from './artifact.rules';
export type { ArtifactService } from './artifact.service';
export { queueArtifactJob } from './artifact.store';
export { artifactsModule } from './artifacts.module';
