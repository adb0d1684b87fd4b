// The front door of this module: what the composition root and the modules above it may use. They import it from
// here, never a file inside it; files inside the module import each other directly.
export { ArtifactFileEntity } from './manifest.entity';
export { manifestStatus, normalisePath, rootDigest, SINGLE_FILE_PATH } from './manifest.rules';
export { ModelVersionEntity } from './version.entity';
export { ArtifactFormat, ArtifactLayout, ArtifactStatus, Stage } from './version.enums';
export type { VersionLoaders } from './version.loaders';
export type { RegisteredManifest } from './version.rules';
export type { ModelVersionService, VersionLabel } from './version.service';
export { lockModelOfVersion, readVersion } from './version.store';
export { Artifact, ArtifactFile, ModelVersion } from './version.types';
export { versionsModule } from './versions.module';
