import { DateTimeISOResolver, GraphQLJSONObject, UUIDResolver } from 'graphql-scalars';
import { ArgsType, Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { Connection, PageArgs } from '../../graphql/connection';
import { ModelVersion } from '../versions';
import { SigningMethod, TrustedSignerKind, TrustScope } from './signer.rules';

registerEnumType(TrustScope, {
  name: 'TrustScope',
  description: 'Where a trusted signer counts: every model, the models a team may contribute to, or one model',
});
registerEnumType(TrustedSignerKind, { name: 'TrustedSignerKind' });
registerEnumType(SigningMethod, { name: 'SigningMethod', description: 'How an OpenSSF Model Signing bundle was signed (spec §4.1)' });

@ObjectType({ description: 'A signer the registry trusts: an ECDSA public key, a certificate authority or a Sigstore identity' })
export class TrustedSigner {
  @Field(() => ID)
  id: string;

  @Field({ description: "What a policy's requiredSignatures.signers names" })
  name: string;

  @Field(() => TrustedSignerKind)
  kind: TrustedSignerKind;

  @Field(() => TrustScope)
  scope: TrustScope;

  @Field(() => ID, { nullable: true })
  teamId: string | null;

  @Field(() => ID, { nullable: true })
  modelId: string | null;

  @Field(() => String, {
    nullable: true,
    description: "A key's fingerprint (SHA-256 of its PEM: the hint a bundle names it by); a CA certificate's SHA-256",
  })
  fingerprint: string | null;

  @Field(() => String, { nullable: true, description: 'A key: P-256, P-384 or P-521' })
  curve: string | null;

  @Field(() => String, { nullable: true, description: "A CA's subject; a Sigstore identity's certificate subject (exact, or a glob)" })
  subject: string | null;

  @Field(() => String, { nullable: true, description: "A Sigstore identity's OIDC issuer; a CA certificate's issuer" })
  issuer: string | null;

  @Field(() => String, { nullable: true, description: 'A key: the PEM SubjectPublicKeyInfo' })
  publicKey: string | null;

  @Field(() => String, { nullable: true, description: 'A CA: the PEM certificate' })
  certificate: string | null;

  @Field(() => DateTimeISOResolver, { nullable: true, description: "A CA: the end of its certificate's validity" })
  notAfter: Date | null;

  @Field()
  createdBy: string;

  @Field(() => DateTimeISOResolver)
  createdAt: Date;

  @Field(() => DateTimeISOResolver, { nullable: true })
  revokedAt: Date | null;

  @Field(() => String, { nullable: true })
  revokedBy: string | null;

  @Field(() => String, { nullable: true })
  revokedReason: string | null;
}

@ObjectType()
export class TrustedSignerConnection extends Connection(TrustedSigner) {}

@ObjectType()
export class TrustedSignerPayload {
  @Field(() => TrustedSigner)
  signer: TrustedSigner;
}

/** What every trusted signer is given: its name, and the scope it counts in. */
@InputType()
abstract class TrustedSignerPlacement {
  @Field({ description: "Unique per scope among unrevoked signers; what a policy's requiredSignatures.signers names" })
  name: string;

  @Field(() => TrustScope)
  scope: TrustScope;

  @Field(() => UUIDResolver, { nullable: true, description: 'TEAM: the team' })
  teamId?: string | null;

  @Field(() => UUIDResolver, { nullable: true, description: 'MODEL: the model' })
  modelId?: string | null;
}

@InputType()
export class RegisterSigningKeyInput extends TrustedSignerPlacement {
  @Field({ description: 'PEM SubjectPublicKeyInfo (-----BEGIN PUBLIC KEY-----): ECDSA on P-256, P-384 or P-521' })
  publicKey: string;
}

@InputType()
export class TrustCertificateAuthorityInput extends TrustedSignerPlacement {
  @Field({ description: 'The CA certificate, PEM: a root or an intermediate that signing certificates chain to' })
  certificate: string;
}

@InputType()
export class TrustSigstoreIdentityInput extends TrustedSignerPlacement {
  @Field({ description: 'The OIDC issuer Fulcio records, exactly, e.g. https://token.actions.githubusercontent.com' })
  issuer: string;

  @Field({ description: "The certificate's subject (an e-mail address or a URI), exactly, or a glob where * is any run of characters" })
  subject: string;
}

@InputType()
export class RevokeTrustedSignerInput {
  @Field(() => UUIDResolver)
  id: string;

  @Field()
  reason: string;
}

@ArgsType()
export class TrustedSignersArgs extends PageArgs {
  @Field(() => TrustScope, { nullable: true })
  scope?: TrustScope | null;

  @Field(() => UUIDResolver, { nullable: true, description: 'Only the signers that apply to this model: global, its teams, its own' })
  modelId?: string | null;

  @Field(() => UUIDResolver, { nullable: true, description: "Only this team's signers" })
  teamId?: string | null;

  @Field({ defaultValue: false })
  includeRevoked: boolean;
}

@ObjectType({ description: 'A verified OpenSSF Model Signing signature on a version' })
export class ModelSignature {
  @Field(() => ID)
  id: string;

  @Field(() => SigningMethod)
  method: SigningMethod;

  @Field({ description: 'Who signed: SHA256:<fingerprint> of a key, a certificate subject, a Sigstore identity' })
  signer: string;

  @Field(() => String, { nullable: true, description: "A certificate's issuer or a Sigstore identity's OIDC issuer" })
  signerIssuer: string | null;

  @Field(() => DateTimeISOResolver, { description: "The bundle's verified time (sigstore), else when it was attached" })
  signedAt: Date;

  @Field(() => DateTimeISOResolver)
  attachedAt: Date;

  @Field()
  attachedBy: string;

  @Field({ description: 'The OMS root digest the signature covers' })
  rootDigest: string;
}

@ObjectType()
export class ModelSignatureConnection extends Connection(ModelSignature) {}

@InputType()
export class AttachModelSignatureInput {
  @Field(() => UUIDResolver)
  versionId: string;

  @Field(() => GraphQLJSONObject, {
    description: 'The OMS bundle (a Sigstore bundle v0.3 with a DSSE envelope), as the model.sig file holds it',
  })
  bundle: Record<string, unknown>;
}

@ObjectType()
export class AttachModelSignaturePayload {
  @Field(() => ModelSignature)
  signature: ModelSignature;

  @Field(() => ModelVersion)
  version: ModelVersion;
}
