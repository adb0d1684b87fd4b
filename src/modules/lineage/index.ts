// The front door of this module: what the composition root and the modules above it may use. They import it from
// here, never a file inside it; files inside the module import each other directly.
export { lineageModule } from './lineage.module';
export type { LineageService } from './lineage.service';
