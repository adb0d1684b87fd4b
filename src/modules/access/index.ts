// The front door of this module: what the composition root and the modules above it may use. They import it from
// here, never a file inside it; files inside the module import each other directly.
export { accessModule } from './access.module';
export { Action, RIGHTS, levelRank, mayDo, roleFloor, roleOfLevel } from './access.rules';
export type { Level } from './access.rules';
export type { AccessService } from './access.service';
