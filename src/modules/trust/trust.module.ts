import { readFileSync } from 'node:fs';
import { defineModule } from '../../common/module';
import { StartupError } from '../../common/startup-error';
import type { Settings } from '../../common/settings';
import type { AccessService } from '../access';
import type { TransitionService } from '../lifecycle';
import { ModelSignatureEntity } from './model-signature.entity';
import { DEFAULT_MAX_SIGNATURE_BYTES } from './signer.rules';
import { parseTrustedRoot } from './sigstore.rules';
import { createTrustLoaders } from './trust.loaders';
import { ModelSignatureFields, TrustResolver, TrustVersionFields } from './trust.resolver';
import { trustRoutes } from './trust.routes';
import { TrustService } from './trust.service';
import { TrustedSignerEntity } from './trusted-signer.entity';

/** The operator's Sigstore trusted root, read once at start and checked: a bad one stops the start with one line. */
function readTrustedRoot(file: string | undefined): unknown {
  if (!file) return null;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new StartupError(`MODELGRAPH_SIGSTORE_TRUSTED_ROOT: ${file} cannot be read as JSON: ${(e as Error).message}`);
  }
  try {
    parseTrustedRoot(json);
  } catch (e) {
    throw new StartupError(`MODELGRAPH_SIGSTORE_TRUSTED_ROOT: ${file} is not a Sigstore trusted root: ${(e as Error).message}`);
  }
  return json;
}

/**
 * OpenSSF Model Signing: the signers the registry trusts (keys, CAs, Sigstore identities; global, per team, per
 * model), signatures verified against them when attached to a version (GraphQL and PUT /artifacts/<id>/model.sig),
 * their bundles downloadable, and the SIGNED gate, added to lifecycle's transitions. The verification itself is the
 * pure *.rules.ts files here (signature.rules.ts is the entry).
 */
export const trustModule = defineModule({
  name: 'trust',
  entities: [TrustedSignerEntity, ModelSignatureEntity],
  resolvers: [TrustResolver, ModelSignatureFields, TrustVersionFields],
  services: (db, { access, transitions }: { access: AccessService; transitions: TransitionService }, settings: Settings) => {
    const trust = new TrustService(db, access, {
      maxSignatureBytes: settings.trust?.maxSignatureBytes ?? DEFAULT_MAX_SIGNATURE_BYTES,
      sigstoreTrustedRoot: readTrustedRoot(settings.trust?.sigstoreTrustedRootFile),
    });
    transitions.addGate(trust.signedGate);
    return { trust };
  },
  loaders: (services) => createTrustLoaders(services),
  routes: ({ trust }) => trustRoutes(trust),
});
