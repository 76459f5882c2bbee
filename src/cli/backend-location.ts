/**
 * The one place that turns a repository location into a backend stack.
 * Today: a plain path or `local:PATH`. Cloud schemes are recognised so the
 * error is clear until their backends land.
 */
import { resolve } from 'node:path';
import type { Backend } from '../backend/backend.js';
import { LocalBackend } from '../backend/local.js';
import { UsageError } from '../errors.js';

export function openBackend(location: string): Backend {
  const scheme = /^([a-z][a-z0-9+]*):(?!\\)/.exec(location)?.[1];
  if (scheme === undefined || scheme.length === 1) return new LocalBackend(resolve(location)); // a path (or a drive letter)
  if (scheme === 'local') return new LocalBackend(resolve(location.slice('local:'.length)));
  if (scheme === 's3' || scheme === 'azure') {
    throw new UsageError(`repository ${location}: the ${scheme} backend is not available in this version of coffer yet`);
  }
  throw new UsageError(`repository ${location}: unknown scheme "${scheme}:" (use a path, local:PATH, s3: or azure:)`);
}
