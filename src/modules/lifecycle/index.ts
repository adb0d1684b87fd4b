// The front door of this module: what the composition root and the modules above it may use. They import it from
// here, never a file inside it; files inside the module import each other directly.
export { lifecycleModule } from './lifecycle.module';
export type { RetirementService } from './retirement.service';
export { setStage } from './stage.store';
export type { GateCheck, GateFacts, TransitionService } from './transition.service';
export type { GateResult, GateSigner } from './gate.rules';
