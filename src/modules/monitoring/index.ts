// The front door of this module: what the composition root and the modules above it may use. They import it from
// here, never a file inside it; files inside the module import each other directly.
export { monitoringModule } from './monitoring.module';
export { ObjectiveStatus } from './objectives/objective.types';
export type { ObjectiveService, ObjectiveStatus as ObjectiveStatusData } from './objectives/objective.service';
