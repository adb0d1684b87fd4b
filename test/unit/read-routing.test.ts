import { onReplica, readingFromReplica, RecentWriters } from '../../src/db/read-routing';

describe('RecentWriters: read-your-writes per token', () => {
  it('sends a token to the primary for its window after a write, and only that token', () => {
    let now = 1_000;
    const writers = new RecentWriters(5_000, () => now);
    expect(writers.wroteLately('a')).toBe(false);
    writers.wrote('a');
    expect(writers.wroteLately('a')).toBe(true);
    expect(writers.wroteLately('b')).toBe(false);
    now += 4_999;
    expect(writers.wroteLately('a')).toBe(true);
    now += 1;
    expect(writers.wroteLately('a')).toBe(false);
  });

  it('starts the window again at each write', () => {
    let now = 0;
    const writers = new RecentWriters(1_000, () => now);
    writers.wrote('a');
    now = 900;
    writers.wrote('a');
    now = 1_500;
    expect(writers.wroteLately('a')).toBe(true);
  });

  it('remembers at most 100,000 writers, forgetting the oldest mark first', () => {
    const writers = new RecentWriters(60_000, () => 0);
    for (let i = 0; i <= 100_000; i++) writers.wrote(`t${i}`);
    expect(writers.wroteLately('t0')).toBe(false);
    expect(writers.wroteLately('t1')).toBe(true);
    expect(writers.wroteLately('t100000')).toBe(true);
  });
});

describe('onReplica', () => {
  it('holds across awaits inside its scope and nowhere else', async () => {
    expect(readingFromReplica()).toBe(false);
    const inside = await onReplica(async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      return readingFromReplica();
    });
    expect(inside).toBe(true);
    expect(readingFromReplica()).toBe(false);
  });
});
