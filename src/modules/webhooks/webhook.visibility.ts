import type { Caller } from '../../common/caller';
import type { Role } from '../../common/role';
import type { AccessService } from '../access/access.service';

/** The part of the access module's rule a webhook's deliveries need. */
export type CreatorVisibility = Pick<AccessService, 'seesEverything' | 'visibleAmong'>;

/**
 * Who a webhook's deliveries are read as: the subject that created it, with the role of the token it used. A
 * webhook is a standing read of the audit log on its creator's behalf, so it receives what that creator may see
 * (with MODELGRAPH_VISIBILITY=granted: the events of models the subject has a grant on, directly or through a
 * team, as the grants are when each event is delivered; events of no model only for ADMINs), whoever later
 * manages it.
 */
export function creatorOf(webhook: { id: string; createdBy: string; createdByRole: Role }): Caller {
  return { tokenId: `webhook:${webhook.id}`, subject: webhook.createdBy, role: webhook.createdByRole, requestId: `webhook:${webhook.id}` };
}

/** Which of `events` the webhook's creator may see: one statement for all of them, none when it sees everything. */
export async function creatorSees(
  access: CreatorVisibility,
  webhook: { id: string; createdBy: string; createdByRole: Role },
  events: ReadonlyArray<{ modelId: string | null }>,
): Promise<(event: { modelId: string | null }) => boolean> {
  const creator = creatorOf(webhook);
  if (access.seesEverything(creator)) return () => true;
  const modelIds = [...new Set(events.map((e) => e.modelId).filter((id): id is string => id !== null))];
  const visible = modelIds.length ? await access.visibleAmong(creator, modelIds) : new Set<string>();
  return (event) => event.modelId !== null && visible.has(event.modelId);
}
