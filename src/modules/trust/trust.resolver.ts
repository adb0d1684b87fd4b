import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, Ctx, FieldResolver, Info, Mutation, Query, Resolver, Root } from 'type-graphql';
import { PageArgs, toConnection } from '../../graphql/connection';
import type { RequestContext } from '../../graphql/context';
import { ModelVersion, type ModelVersionEntity, type VersionLoaders } from '../versions';
import type { ModelSignatureEntity } from './model-signature.entity';
import { signatureDownloadPath } from './signer.rules';
import type { TrustLoaders } from './trust.loaders';
import type { TrustService } from './trust.service';
import {
  AttachModelSignatureInput,
  AttachModelSignaturePayload,
  ModelSignature,
  ModelSignatureConnection,
  RegisterSigningKeyInput,
  RevokeTrustedSignerInput,
  TrustCertificateAuthorityInput,
  TrustedSigner,
  TrustedSignerConnection,
  TrustedSignerPayload,
  TrustedSignersArgs,
  TrustSigstoreIdentityInput,
} from './trust.types';

type Ctx = RequestContext<{ trust: TrustService }, { versions: VersionLoaders; trust: TrustLoaders }>;

@Resolver()
export class TrustResolver {
  @Mutation(() => TrustedSignerPayload, {
    description: 'Trusts an ECDSA public key (P-256, P-384, P-521) to sign models (OMS `key` method)',
  })
  async registerSigningKey(@Ctx() ctx: Ctx, @Arg('input', () => RegisterSigningKeyInput) input: RegisterSigningKeyInput) {
    return { signer: await ctx.services.trust.registerSigningKey(ctx.caller, input) };
  }

  @Mutation(() => TrustedSignerPayload, {
    description: 'Trusts a certificate authority: signing certificates that chain to it count (OMS `certificate`)',
  })
  async trustCertificateAuthority(
    @Ctx() ctx: Ctx,
    @Arg('input', () => TrustCertificateAuthorityInput) input: TrustCertificateAuthorityInput,
  ) {
    return { signer: await ctx.services.trust.trustCertificateAuthority(ctx.caller, input) };
  }

  @Mutation(() => TrustedSignerPayload, {
    description: 'Trusts a Sigstore identity: an OIDC issuer and a certificate subject (OMS `sigstore`)',
  })
  async trustSigstoreIdentity(@Ctx() ctx: Ctx, @Arg('input', () => TrustSigstoreIdentityInput) input: TrustSigstoreIdentityInput) {
    return { signer: await ctx.services.trust.trustSigstoreIdentity(ctx.caller, input) };
  }

  @Mutation(() => TrustedSignerPayload, { description: 'Revokes a trusted signer: signatures attached before still count, none after' })
  async revokeTrustedSigner(@Ctx() ctx: Ctx, @Arg('input', () => RevokeTrustedSignerInput) input: RevokeTrustedSignerInput) {
    return { signer: await ctx.services.trust.revoke(ctx.caller, input.id, input.reason) };
  }

  @Query(() => TrustedSignerConnection, { description: 'The signers the registry trusts, oldest first (unrevoked unless asked)' })
  async trustedSigners(@Ctx() ctx: Ctx, @Args(() => TrustedSignersArgs) args: TrustedSignersArgs) {
    const { first, after, ...filter } = args;
    return toConnection(await ctx.services.trust.list(ctx.caller, filter, { first, after }), () =>
      ctx.services.trust.count(ctx.caller, filter),
    );
  }

  @Mutation(() => AttachModelSignaturePayload, {
    description: "Verifies an OpenSSF Model Signing bundle against the version's files and the trusted signers, and records it",
  })
  async attachModelSignature(@Ctx() ctx: Ctx, @Arg('input', () => AttachModelSignatureInput) input: AttachModelSignatureInput) {
    const { signature } = await ctx.services.trust.attach(ctx.caller, input.versionId, input.bundle);
    return { signature, version: await ctx.loaders.versions.byId.load(input.versionId) };
  }
}

@Resolver(() => ModelSignature)
export class ModelSignatureFields {
  @FieldResolver(() => TrustedSigner, { description: 'The trusted signer it was verified against (revoked or not)' })
  trustedSigner(@Root() signature: ModelSignatureEntity, @Ctx() ctx: Ctx) {
    return ctx.loaders.trust.trustedSigner.load(signature.trustedSignerId);
  }

  @FieldResolver(() => Boolean, {
    description: "Whether it counts now: its signer was not revoked before it was attached, and it signs the version's files as they are",
  })
  async counts(@Root() signature: ModelSignatureEntity, @Ctx() ctx: Ctx) {
    return (await this.verdict(signature, ctx)).counts;
  }

  @FieldResolver(() => String, { description: 'Why it counts or not' })
  async reason(@Root() signature: ModelSignatureEntity, @Ctx() ctx: Ctx) {
    return (await this.verdict(signature, ctx)).reason;
  }

  @FieldResolver(() => String, { description: 'Where its bundle is downloaded: GET this path (the model.sig file)' })
  downloadPath(@Root() signature: ModelSignatureEntity) {
    return signatureDownloadPath(signature.versionId, signature.id);
  }

  private async verdict(signature: ModelSignatureEntity, ctx: Ctx) {
    const [signer, version] = await Promise.all([
      ctx.loaders.trust.trustedSigner.load(signature.trustedSignerId),
      ctx.loaders.versions.byId.load(signature.versionId),
    ]);
    return ctx.services.trust.verdict(signature, signer!, version!);
  }
}

@Resolver(() => ModelVersion)
export class TrustVersionFields {
  @FieldResolver(() => ModelSignatureConnection, { description: 'OpenSSF Model Signing signatures attached to this version, oldest first' })
  signatures(@Root() version: ModelVersionEntity, @Ctx() ctx: Ctx, @Args() page: PageArgs, @Info() info: GraphQLResolveInfo) {
    return ctx.loaders.trust.signaturesOfVersion(version.id, null, page, info);
  }
}
