// The front door of this module: what the composition root and the modules above it may use. They import it from
// here, never a file inside it; files inside the module import each other directly.
export type { ModelSignatureEntity } from './model-signature.entity';
export type { TrustService } from './trust.service';
export { trustModule } from './trust.module';
