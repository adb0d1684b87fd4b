import { connectionLoader, mapLoader } from '../../graphql/loaders';
import type { ModelSignatureEntity } from './model-signature.entity';
import type { TrustService } from './trust.service';

export function createTrustLoaders({ trust }: { trust: TrustService }) {
  return {
    signaturesOfVersion: connectionLoader<null, ModelSignatureEntity>({
      pages: (ids, _, page) => trust.signaturePages(ids, page),
      counts: (ids) => trust.signatureCounts(ids),
    }),
    /** A signature's trusted signer, revoked or not (the signature was verified against it). */
    trustedSigner: mapLoader((ids) => trust.signersByIds(ids)),
  };
}

export type TrustLoaders = ReturnType<typeof createTrustLoaders>;
