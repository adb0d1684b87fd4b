import { defineModule } from '../../common/module';
import type { AccessService } from '../access';
import type { TransitionService } from '../lifecycle';
import { ModelCardEntity } from './card.entity';
import { CardResolver } from './card.resolver';
import { CardService } from './card.service';

/**
 * Model cards (issue 22): the people-written sections of each version's card, versioned and audited, the card
 * assembled with what the registry knows (`modelCard`), and the MODEL_CARD_COMPLETE gate, added to lifecycle's
 * transitions. The section rules (bounds, completeness, staleness) are pure: card.rules.ts.
 */
export const cardsModule = defineModule({
  name: 'cards',
  entities: [ModelCardEntity],
  resolvers: [CardResolver],
  services: (db, { access, transitions }: { access: AccessService; transitions: TransitionService }) => {
    const cards = new CardService(db, access);
    transitions.addGate(cards.completeGate);
    return { cards };
  },
});
