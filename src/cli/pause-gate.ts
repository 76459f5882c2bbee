/** `--pause-file FILE` for long-running commands: a PauseFile that tells the user when work pauses and resumes. */
import { resolve } from 'node:path';
import { PauseFile } from '../pause-file.js';
import type { Context } from './context.js';

/** The gate for `--pause-file`, or undefined without it. `showPaused` puts "paused" on the progress line. */
export function pauseGate(ctx: Context, file: string | undefined, showPaused: () => void): PauseFile | undefined {
  if (file === undefined) return undefined;
  const path = resolve(file);
  return new PauseFile(path, {
    onPause: () => {
      ctx.info(`paused: ${path} exists; remove it to go on`);
      showPaused();
    },
    onResume: () => ctx.info('resumed'),
  });
}
