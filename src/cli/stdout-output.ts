/**
 * Binary output to stdout for `dump`: each write waits while the stream's
 * buffer is full (a slow `zfs receive` or `tar` holds coffer back instead of
 * letting memory grow), and a reader that goes away (EPIPE) ends the dump
 * with an error instead of crashing the process.
 */
import { CofferError } from '../errors.js';

export interface BinaryOutput {
  write(bytes: Buffer): Promise<void>;
  /** Stops listening for errors; call when done. */
  close(): void;
}

export function stdoutOutput(stream: NodeJS.WriteStream = process.stdout): BinaryOutput {
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const onError = (error: Error) => {
    failure = error;
    wake?.();
  };
  const closed = (error: Error) => {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'EPIPE'
      ? new CofferError('OUTPUT_CLOSED', 'the output was closed before the dump ended (EPIPE)', { cause: error })
      : new CofferError('OUTPUT_FAILED', `writing the output failed: ${error.message}`, { cause: error });
  };
  stream.on('error', onError);
  return {
    async write(bytes) {
      if (failure) throw closed(failure);
      if (stream.write(bytes)) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
        stream.once('drain', resolve);
      });
      stream.off('drain', wake!);
      wake = undefined;
      if (failure) throw closed(failure);
    },
    close() {
      // Keep swallowing late errors (an EPIPE after the last write) so they do not crash the exit.
      stream.off('error', onError);
      stream.on('error', () => undefined);
    },
  };
}
