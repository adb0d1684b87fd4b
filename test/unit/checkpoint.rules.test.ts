/** What a chain compared with a signed checkpoint says: held, rewritten, cut short (a restore, or a deletion), or holed. */
import { compareWithCheckpoint, missingSince } from '../../src/modules/audit/checkpoint.rules';

const checkpoint = { seq: 6, hash: 'h6', signedAt: '2026-12-06T14:58:22.799Z' };

describe('compareWithCheckpoint', () => {
  it('holds when the checkpointed event is there with its hash', () => {
    expect(compareWithCheckpoint(checkpoint, { seq: 6, hash: 'h6' }, 9)).toBeNull();
  });

  it('says a chain that ends before the checkpoint misses that many events: a restore, or a deletion', () => {
    expect(compareWithCheckpoint(checkpoint, null, 4)).toEqual({
      seq: 6,
      reason:
        'the chain ends at 4, but event 6 was checkpointed at 2026-12-06T14:58:22.799Z: the 2 checkpointed events after event 4 are missing — a restore from a backup older than that checkpoint, or events deleted',
    });
    expect(missingSince(5, checkpoint)).toBe(
      'the 1 checkpointed event after event 5 is missing — a restore from a backup older than that checkpoint, or events deleted',
    );
  });

  it('says an event gone from within the chain was deleted, and another hash a rewrite', () => {
    expect(compareWithCheckpoint(checkpoint, null, 9)?.reason).toBe(
      'the chain ends at 9, but event 6 was checkpointed at 2026-12-06T14:58:22.799Z: events were deleted',
    );
    expect(compareWithCheckpoint(checkpoint, { seq: 6, hash: 'other' }, 9)?.reason).toBe(
      'event 6 no longer has the hash signed at 2026-12-06T14:58:22.799Z: the chain was rewritten',
    );
  });
});
