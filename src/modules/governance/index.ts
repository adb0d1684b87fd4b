// The front door of this module: what the composition root and the modules above it may use. They import it from
// here, never a file inside it; files inside the module import each other directly.
export { decisionsOn } from './approval.store';
export { Comparator } from './governance.enums';
export { governanceModule } from './governance.module';
export {
  appliesFrom,
  isGated,
  type CardRule,
  type CardSection,
  type GatedStage,
  type Policy,
  type ScanRule,
  type SignatureRule,
} from './policy.rules';
export { effectivePolicy } from './policy.store';
export { latestVerdict } from './validation.store';
