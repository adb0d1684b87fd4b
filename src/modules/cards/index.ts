// The front door of this module: what the composition root and the modules above it may use. They import it from
// here, never a file inside it; files inside the module import each other directly.
export type { CardService } from './card.service';
export { cardsModule } from './cards.module';
