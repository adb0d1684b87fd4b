/**
 * Waiting for a version to reach a stage, to be approved, or for its artifact to be READY: the condition is read
 * once, then again on every event of the version's model (a lifecycleEvents subscription), and on a slow poll besides
 * — so a lost or refused websocket (a proxy that does not pass them) only makes the wait slower, never wrong.
 */
import type { ModelgraphClient, Version } from './client';
import { ModelgraphError } from './errors';
import type { Stage } from './generated/graphql';

export type WaitTarget = Stage | 'approved' | 'ready';

export interface WaitOptions {
  timeoutMs: number;
  /** How often the condition is read without an event (default 5 s; the fallback when websockets fail). */
  pollMs?: number;
  /** Told how the wait goes: 'subscribed', or 'polling' after the subscription failed. */
  onMode?: (mode: 'subscribed' | 'polling', reason?: string) => void;
}

export interface WaitResult {
  version: Version;
  /** How long it took, in ms. */
  waitedMs: number;
}

/** Stages a version does not leave: waiting for another one from there would never end. */
const FINAL: ReadonlySet<string> = new Set(['REJECTED', 'RETIRED']);

/** Whether the version meets the target now; throws when it never will. */
async function check(client: ModelgraphClient, version: Version, target: WaitTarget): Promise<boolean> {
  if (target === 'ready') {
    if (version.artifact.status === 'FAILED')
      throw new ModelgraphError(
        'CONFLICT',
        `the artifact's upload FAILED (${version.artifact.failureReason ?? 'no reason given'}): upload it again`,
      );
    return version.artifact.status === 'READY';
  }
  if (target === 'approved') {
    if (version.stage === 'PRODUCTION') return true;
    if (FINAL.has(version.stage))
      throw new ModelgraphError('CONFLICT', `version ${version.version} is ${version.stage}: it will not be approved`);
    const readiness = await client.promotionReadiness(version.id, 'PRODUCTION');
    return readiness.gates.every((g) => g.gate !== 'APPROVALS' || g.passed);
  }
  if (version.stage === target) return true;
  if (FINAL.has(version.stage))
    throw new ModelgraphError('CONFLICT', `version ${version.version} is ${version.stage}: it will not reach ${target}`);
  return false;
}

export async function waitFor(client: ModelgraphClient, versionId: string, target: WaitTarget, options: WaitOptions): Promise<WaitResult> {
  const started = Date.now();
  let version = await client.version(versionId);
  if (await check(client, version, target)) return { version, waitedMs: Date.now() - started };

  const stop = new AbortController();
  let wake: () => void = () => undefined;
  const events = (async () => {
    try {
      const stream = client.lifecycleEvents({ filter: { modelIds: [version.model.id] } }, { signal: stop.signal, maxReconnects: 3 });
      options.onMode?.('subscribed');
      // A subscription with no `after` starts live: an event between the first read and here is caught by the poll.
      for await (const _event of stream) wake();
    } catch (err) {
      if (!stop.signal.aborted) options.onMode?.('polling', (err as Error).message);
    }
  })();
  try {
    for (;;) {
      const left = options.timeoutMs - (Date.now() - started);
      if (left <= 0)
        throw new ModelgraphError(
          'TIMED_OUT',
          `version ${version.version} of ${version.model.name} did not reach ${target} in ${Math.round(options.timeoutMs / 1000)} s (it is ${version.stage}, its artifact ${version.artifact.status})`,
        );
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, options.pollMs ?? 5000));
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      version = await client.version(versionId);
      if (await check(client, version, target)) return { version, waitedMs: Date.now() - started };
    }
  } finally {
    stop.abort();
    await events;
  }
}
