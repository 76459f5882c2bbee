/**
 * Test-only hooks, read from the environment (never set them in
 * production): COFFER_TEST_CRASH_AFTER_WRITES=N kills this process with
 * SIGKILL just before its N-th save or remove, so the end-to-end tests can
 * stop a command at an exact point of its work.
 */
import type { Backend } from '../backend/backend.js';
import { TripwireBackend } from '../backend/tripwire.js';

export function withTestHooks(backend: Backend, env: NodeJS.ProcessEnv): Backend {
  const crashAt = Number(env['COFFER_TEST_CRASH_AFTER_WRITES'] ?? '');
  if (!Number.isSafeInteger(crashAt) || crashAt < 1) return backend;
  return new TripwireBackend(backend, (count) => {
    if (count >= crashAt) process.kill(process.pid, 'SIGKILL');
  });
}
