import DataLoader from 'dataloader';
import type { Caller } from '../../common/caller';
import { mapLoader } from '../../graphql/loaders';
import type { AccessService } from './access.service';

export function createAccessLoaders(access: AccessService, caller: Caller) {
  return {
    members: mapLoader((teamIds) => access.membersOf(teamIds)),
    /** Whether the caller can see a model, by id: for what a request reaches by id, not through a visible parent. */
    visible: new DataLoader<string, boolean>(async (modelIds) => {
      const seen = await access.visibleAmong(caller, modelIds);
      return modelIds.map((id) => seen.has(id.toLowerCase()));
    }),
  };
}

export type AccessLoaders = ReturnType<typeof createAccessLoaders>;
