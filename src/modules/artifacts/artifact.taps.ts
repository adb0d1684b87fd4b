import type { ArtifactFormat, ArtifactStatus } from '../versions';

/**
 * Taps on uploads: what another part of the registry (the artifact scanner) adds to see every uploaded file's bytes
 * as they stream in, without a second read of the stored object, and the hook that hands it the taps' results in
 * the transaction that records the file.
 *
 *   artifacts.taps.add('scan', (file) => (file.path.endsWith('.pkl') ? new PickleTap() : null));
 *   artifacts.fileUploaded.add(async (m, caller, file, outcomes) => { … record what the taps found, in m … });
 *
 * With no tap added, an upload is what it always was: hashed and counted on its way into the store.
 */

/** The file an upload is for, as a tap is opened on it. */
export interface TappedFile {
  versionId: string;
  modelId: string;
  /** Its path in the version's folder (`artifact` for a single-file artifact). */
  path: string;
  /** The size declared for it, when one was. */
  sizeBytes: number | null;
  format: ArtifactFormat;
}

/**
 * One tap on one upload. `write` receives every chunk, in order, as it streams in (the same Buffer the store
 * receives: read it, never change it); a promise it returns holds the upload back until it settles (backpressure).
 * `end` is called once all the bytes arrived and matched their digest and size, and answers the tap's result.
 * `abort` is called instead when the upload is refused or breaks off: nothing of it is kept. A tap that throws is
 * dropped for the rest of the upload and its error is its outcome; it never fails the upload.
 */
export interface ArtifactTap<R = unknown> {
  write(chunk: Buffer): void | Promise<void>;
  end(): R | Promise<R>;
  abort?(reason: string): void;
}

/** Opens a tap on an upload, or answers null when it has no interest in this file. */
export type ArtifactTapFactory = (file: TappedFile) => ArtifactTap | null | undefined;

/** What one tap made of one upload: its result, or the error that dropped it. */
export type TapOutcome = { tap: string; result: unknown; error?: undefined } | { tap: string; result?: undefined; error: string };

/** A file whose bytes arrived and matched, as the fileUploaded hook receives it. */
export interface UploadedFile extends TappedFile {
  sha256: string;
  sizeBytes: number;
  /** The artifact's status once this file is recorded: READY when it was the last one. */
  artifactStatus: ArtifactStatus;
}

/** The taps added to this registry's uploads, by name. */
export class ArtifactTaps {
  private readonly factories: Array<{ name: string; open: ArtifactTapFactory }> = [];

  add(name: string, open: ArtifactTapFactory): void {
    if (this.factories.some((f) => f.name === name)) throw new Error(`an artifact tap named ${name} is already added`);
    this.factories.push({ name, open });
  }

  /** The taps of one upload, or null when none wants it (then the upload has nothing more to do). */
  open(file: TappedFile): OpenTaps | null {
    const taps: Array<{ name: string; tap: ArtifactTap | null; error?: string }> = [];
    for (const { name, open } of this.factories) {
      try {
        const tap = open(file);
        if (tap) taps.push({ name, tap });
      } catch (err) {
        taps.push({ name, tap: null, error: messageOf(err) });
      }
    }
    return taps.length ? new OpenTaps(taps) : null;
  }
}

/** The taps open on one upload: chunks go to each, an error drops only the tap that threw it. */
export class OpenTaps {
  constructor(private readonly taps: Array<{ name: string; tap: ArtifactTap | null; error?: string }>) {}

  /** Hands a chunk to every tap still open; answers a promise only when one of them asks to be waited for. */
  write(chunk: Buffer): void | Promise<void> {
    let waits: Array<Promise<void>> | null = null;
    for (const entry of this.taps) {
      if (!entry.tap) continue;
      try {
        const pending = entry.tap.write(chunk);
        if (pending) (waits ??= []).push(pending.catch((err: unknown) => this.drop(entry, err)));
      } catch (err) {
        this.drop(entry, err);
      }
    }
    return waits ? Promise.all(waits).then(() => undefined) : undefined;
  }

  /** Every tap's outcome, in the order they were added. */
  async end(): Promise<TapOutcome[]> {
    const outcomes: TapOutcome[] = [];
    for (const entry of this.taps) {
      if (!entry.tap) {
        outcomes.push({ tap: entry.name, error: entry.error ?? 'dropped' });
        continue;
      }
      try {
        outcomes.push({ tap: entry.name, result: await entry.tap.end() });
      } catch (err) {
        outcomes.push({ tap: entry.name, error: messageOf(err) });
      }
    }
    return outcomes;
  }

  abort(reason: string): void {
    for (const entry of this.taps) {
      try {
        entry.tap?.abort?.(reason);
      } catch {
        // An abort that throws has nothing more to say: the upload is refused either way.
      }
    }
  }

  private drop(entry: { tap: ArtifactTap | null; error?: string }, err: unknown): void {
    if (!entry.tap) return;
    try {
      entry.tap.abort?.(`the tap failed: ${messageOf(err)}`);
    } catch {
      // dropped either way
    }
    entry.tap = null;
    entry.error = messageOf(err);
  }
}

const messageOf = (err: unknown): string => String((err as Error)?.message ?? err).slice(0, 2000);
