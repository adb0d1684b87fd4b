import type { Caller } from '../../common/caller';
import { badInput } from '../../common/errors';
import { isUuid } from '../../common/uuid';
import { Action, type AccessService } from '../access';
import type { DataSource } from 'typeorm';
import type { EventDispatcher, EventEnvelope } from './event.dispatcher';
import { decodeEventCursor, EventKind, type EventFilter } from './event.rules';

/** A stage change into or out of PRODUCTION, with both versions when one replaced the other. */
export interface Promotion {
  seq: number;
  cursor: string;
  modelId: string;
  /** The version moved. */
  version: { versionId: string; version: number };
  fromStage: string;
  toStage: string;
  /** The version it replaced in PRODUCTION, if any. */
  replaced: { versionId: string; version: number } | null;
  reason: string;
  actor: string;
  occurredAt: Date;
}

const MAX_FILTER_MODELS = 1000;

/** Subscriptions: what a caller may subscribe to, resumed from a cursor. */
export class EventService {
  constructor(
    private readonly db: DataSource,
    private readonly access: AccessService,
    private readonly dispatcher: EventDispatcher,
  ) {}

  /** lifecycleEvents(filter, after): every committed event the caller may see, after the cursor and then live. */
  lifecycleEvents(caller: Caller, filter: EventFilter, after: string | null): AsyncGenerator<EventEnvelope> {
    if ((filter.modelIds?.length ?? 0) > MAX_FILTER_MODELS) throw badInput('filter.modelIds', `at most ${MAX_FILTER_MODELS}`);
    if (filter.modelIds?.some((id) => !isUuid(id))) throw badInput('filter.modelIds', 'must be model ids');
    return this.dispatcher.stream(caller, filter, this.position(after));
  }

  /** promotions(modelId): stage changes into and out of PRODUCTION; NOT_FOUND for a model the caller cannot see. */
  async promotions(caller: Caller, modelId: string, after: string | null): Promise<AsyncGenerator<Promotion>> {
    await this.access.authorize(this.db.manager, caller, Action.VIEW, modelId);
    const events = this.dispatcher.stream(caller, { modelIds: [modelId], kinds: [EventKind.STAGE_CHANGED] }, this.position(after));
    const promotions = promotionsOf(events);
    // A generator waiting for its next event runs no `finally` when the client leaves: end the stream below at
    // once, so the subscription is released with the socket rather than at the next matching event.
    const finish = promotions.return.bind(promotions);
    promotions.return = (value) => {
      void events.return(undefined);
      return finish(value);
    };
    return promotions;
  }

  private position(after: string | null): number | null {
    if (after === null || after === undefined) return null;
    const seq = decodeEventCursor(after);
    if (seq === null) throw badInput('after', 'is not an event cursor: pass the cursor of the last event you received');
    return seq;
  }
}

async function* promotionsOf(events: AsyncGenerator<EventEnvelope>): AsyncGenerator<Promotion> {
  try {
    for await (const event of events) {
      const p = event.payload as {
        version: number;
        fromStage: string;
        toStage: string;
        reason?: string;
        replaced?: Promotion['replaced'];
        replacedBy?: unknown;
      };
      const into = p.toStage === 'PRODUCTION';
      // The version archived to make room is part of its replacement's promotion, not one of its own.
      if (!into && (p.fromStage !== 'PRODUCTION' || p.replacedBy)) continue;
      yield {
        seq: event.seq,
        cursor: event.cursor,
        modelId: event.modelId as string,
        version: { versionId: event.subjectId, version: p.version },
        fromStage: p.fromStage,
        toStage: p.toStage,
        replaced: p.replaced ?? null,
        reason: p.reason ?? '',
        actor: event.actor,
        occurredAt: event.occurredAt,
      };
    }
  } finally {
    await events.return(undefined);
  }
}
