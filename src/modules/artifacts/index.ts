// The front door of this module: what the composition root and the modules above it may use. They import it from
// here, never a file inside it; files inside the module import each other directly.
export type { ArtifactStore } from './artifact-store';
export { coldKey, isReservedKey, rootKeyOf, storeKeyOf } from './artifact.rules';
export type { ArtifactPlace } from './artifact.rules';
export type { ArtifactService } from './artifact.service';
export { queueArtifactJob, referencedKeys } from './artifact.store';
// Taps on uploads and the hook that receives their outcomes: see artifact.taps.ts (ArtifactService.taps, .fileUploaded).
export type { ArtifactTap, ArtifactTapFactory, TapOutcome, TappedFile, UploadedFile } from './artifact.taps';
export { artifactsModule } from './artifacts.module';
