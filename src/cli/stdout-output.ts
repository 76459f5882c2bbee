/**
 * Binary output to stdout for `dump`: each write waits while the stream's
 * buffer is full, so a slow `zfs receive` or `tar` holds coffer back instead
 * of letting memory grow. Output errors (a reader that went away) end the
 * process in main.ts.
 */
export interface BinaryOutput {
  write(bytes: Buffer): Promise<void>;
}

export function stdoutOutput(stream: NodeJS.WritableStream = process.stdout): BinaryOutput {
  return {
    async write(bytes) {
      if (!stream.write(bytes)) await new Promise<void>((resolve) => stream.once('drain', resolve));
    },
  };
}
