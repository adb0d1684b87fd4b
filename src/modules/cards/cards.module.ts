import { defineModule } from '../../common/module';
import type { TransitionService } from '../lifecycle';
import { ModelCardEntity } from './card.entity';
import { CardFields, CardResolver } from './card.resolver';
import { cardRoutes } from './card.routes';
import { CardService, type CardBelow } from './card.service';

/**
 * Model cards (issue 22): the people-written sections of each version's card, versioned and audited, the card
 * assembled with what the registry knows (`modelCard`), and the MODEL_CARD_COMPLETE gate, added to lifecycle's
 * transitions; GET /models/<name>/versions/<n>/card.md and card.html. The section rules (bounds, completeness,
 * staleness) and the rendering are pure: card.rules.ts, card-document.rules.ts.
 */
export const cardsModule = defineModule({
  name: 'cards',
  entities: [ModelCardEntity],
  resolvers: [CardResolver, CardFields],
  services: (db, { access, models, lineage, trust, objectives, transitions }: CardBelow & { transitions: TransitionService }) => {
    const cards = new CardService(db, { access, models, lineage, trust, objectives });
    transitions.addGate(cards.completeGate);
    return { cards };
  },
  routes: ({ cards }) => cardRoutes(cards),
});
