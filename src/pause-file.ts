/**
 * `--pause-file FILE`: while FILE exists, long-running work waits. Pipelines
 * call `wait` at safe points (before accepting a blob, before uploading a
 * pack); it returns at once while the file is absent, so the cost is one
 * stat every `recheckMs` at most. Concurrent callers share one pause.
 */
import { stat } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { AbortedError, describe, throwIfAborted, UsageError } from './errors.js';

/** What a pipeline needs: somewhere to wait while work is paused. */
export interface PauseGate {
  wait(signal?: AbortSignal): Promise<void>;
}

export interface PauseFileOptions {
  /** Called once when a pause begins and once when it ends. */
  readonly onPause?: () => void;
  readonly onResume?: () => void;
  /** How often a paused run looks for the file again. */
  readonly pollMs?: number;
  /** A running job looks for the file at most this often. */
  readonly recheckMs?: number;
  readonly clock?: () => number;
}

export class PauseFile implements PauseGate {
  private lastCheck = -Infinity;
  private paused: Promise<void> | undefined;

  constructor(readonly path: string, private readonly options: PauseFileOptions = {}) {}

  async wait(signal?: AbortSignal): Promise<void> {
    throwIfAborted(signal);
    if (this.paused) return this.paused;
    const clock = this.options.clock ?? Date.now;
    const now = clock();
    if (now - this.lastCheck < (this.options.recheckMs ?? 250)) return;
    this.lastCheck = now;
    if (!(await this.exists())) return;
    // Another caller may have started the pause while this one was checking.
    this.paused ??= this.waitWhilePresent(signal).finally(() => {
      this.paused = undefined;
      this.lastCheck = clock();
    });
    return this.paused;
  }

  private async waitWhilePresent(signal?: AbortSignal): Promise<void> {
    this.options.onPause?.();
    try {
      do {
        await delay(this.options.pollMs ?? 500, undefined, { signal });
      } while (await this.exists());
    } catch (error) {
      if (signal?.aborted) throw new AbortedError(undefined, { cause: error });
      throw error;
    }
    this.options.onResume?.();
  }

  private async exists(): Promise<boolean> {
    try {
      await stat(this.path);
      return true;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return false;
      throw new UsageError(`pause file ${this.path}: cannot tell whether it exists: ${describe(error)}`, { cause: error });
    }
  }
}
