/**
 * The gc safety window's test override (docs/format.md "Garbage collection
 * (prune)"). Plans must have a window of at least an hour and writers rely on
 * that; tests lower the minimum for every command of a run with
 * COFFER_TEST_GC_WINDOW_MS. Never set it in production: a backup that takes
 * longer than a quarter of the window, with a prune running, would stop.
 */
import { UsageError } from '../errors.js';

export function testGcWindowMs(env: NodeJS.ProcessEnv): number | undefined {
  const text = env['COFFER_TEST_GC_WINDOW_MS'];
  if (text === undefined || text === '') return undefined;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1) throw new UsageError(`COFFER_TEST_GC_WINDOW_MS: "${text}" is not a positive integer`);
  return value;
}
