// The front door of this module: what the composition root and the modules above it may use. They import it from
// here, never a file inside it; files inside the module import each other directly.
export { bomModule } from './bom.module';
export { BOM_MEDIA_TYPE } from './bom.rules';
export type { BomService } from './bom.service';
