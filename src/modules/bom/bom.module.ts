import { defineModule } from '../../common/module';
import type { AccessService } from '../access';
import type { CardService } from '../cards';
import type { LineageService } from '../lineage';
import type { TrustService } from '../trust';
import { bomRoutes } from './bom.routes';
import { BomService } from './bom.service';

interface Below {
  access: AccessService;
  models: ConstructorParameters<typeof BomService>[1]['models'];
  lineage: LineageService;
  trust: TrustService;
  cards: CardService;
}

/**
 * The AI bill of materials: GET /models/<name>/versions/<n>/bom.cdx.json, a CycloneDX 1.6 JSON BOM of a version built
 * with @cyclonedx/cyclonedx-library from what the registry holds (bom.rules.ts, pure: the BOM, its determinism);
 * no tables of its own.
 */
export const bomModule = defineModule({
  name: 'bom',
  services: (db, { access, models, lineage, trust, cards }: Below) => ({
    bom: new BomService(db, { access, models, lineage, trust, cards }),
  }),
  routes: ({ bom }) => bomRoutes(bom),
});
