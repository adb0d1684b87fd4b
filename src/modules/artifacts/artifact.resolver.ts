import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import type { RequestContext } from '../../graphql/context';
import type { ArtifactService } from './artifact.service';
import { ArtifactVerification, RestoreArtifactInput, RestoredArtifact, VerifyArtifactInput } from './artifact.types';

type Ctx = RequestContext<{ artifacts: ArtifactService }>;

@Resolver()
export class ArtifactResolver {
  @Mutation(() => ArtifactVerification, {
    description: 'Reads the stored artifact again and compares it with its sha256 and size; a mismatch marks it FAILED',
  })
  verifyArtifact(@Ctx() ctx: Ctx, @Arg('input', () => VerifyArtifactInput) input: VerifyArtifactInput) {
    return ctx.services.artifacts.verify(ctx.caller, input.versionId);
  }

  @Mutation(() => RestoredArtifact, { description: 'Brings a COLD artifact back (MANAGE); audited' })
  restoreArtifact(@Ctx() ctx: Ctx, @Arg('input', () => RestoreArtifactInput) input: RestoreArtifactInput) {
    return ctx.services.artifacts.restore(ctx.caller, input.versionId);
  }
}
