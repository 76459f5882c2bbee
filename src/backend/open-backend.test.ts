import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { BackendError, UsageError } from '../errors.js';
import type { Backend } from './backend.js';
import { runBackendConformance } from './conformance.js';
import { TRANSIENT_FAULT_KINDS } from './fault-injecting.js';
import { LazyBackend } from './lazy.js';
import { MemoryBackend } from './memory.js';
import { layersOver, openBackendStack } from './open-backend.js';
import { RetryBackend } from './retry.js';

runBackendConformance('the whole stack over memory: transient faults, bandwidth and concurrency limits, retries', async () => ({
  backend: layersOver(new MemoryBackend(), {
    connections: 3,
    limits: { uploadBytesPerSecond: 256 * 1024 * 1024, downloadBytesPerSecond: 256 * 1024 * 1024 },
    faults: { seed: 9, rate: 0.2, kinds: TRANSIENT_FAULT_KINDS, delayMs: 1 },
    retry: { policy: { attempts: 20, baseDelayMs: 0, maxDelayMs: 0 } },
  }),
  cleanup: async () => undefined,
}));

describe('openBackendStack', () => {
  test('every stack ends in the retry layer, and a local stack shows its absolute path', () => {
    const backend = openBackendStack('relative/repo');
    assert.ok(backend instanceof RetryBackend);
    assert.equal(backend.location, path.resolve('relative/repo'));
  });

  test('configuration errors are usage errors raised at once, before any SDK is loaded', () => {
    assert.throws(() => openBackendStack('gopher:x'), UsageError);
    assert.throws(() => openBackendStack('s3:http://storage.example.com/b'), /plain http to storage\.example\.com refused/);
    assert.throws(() => openBackendStack('azure:backups'), /no Azure account: set AZURE_STORAGE_ACCOUNT/);
    assert.throws(() => openBackendStack('azure:backups', { azure: { credential: { kind: 'default', account: 'a' }, endpoint: 'http://blob.example.com/a' } }),
      /plain http to blob\.example\.com refused/);
    assert.throws(() => openBackendStack('/tmp/x', { connections: 0 }), /--connections must be a positive integer/);
    // Allowed with --insecure-http; nothing is contacted until the first operation.
    const allowed = openBackendStack('s3:http://storage.example.com/b', { insecureHttp: true });
    assert.equal(allowed.location, 's3:http://storage.example.com/b');
  });
});

describe('LazyBackend', () => {
  test('creates the backend on first use, once, and reports a failure to create on each use until one succeeds', async () => {
    let attempts = 0;
    const memory = new MemoryBackend();
    const lazy: Backend = new LazyBackend('lazy:', async () => {
      attempts += 1;
      if (attempts === 1) throw new BackendError('no credentials', { transient: false });
      return memory;
    });
    assert.equal(attempts, 0);
    await assert.rejects(lazy.stat('x'), /no credentials/);
    assert.equal(await lazy.save('x', Buffer.from('1')), 'saved');
    await Promise.all([lazy.load('x'), lazy.stat('x'), lazy.load('x')]);
    const names: string[] = [];
    for await (const object of lazy.list('')) names.push(object.name);
    assert.deepEqual(names, ['x']);
    assert.equal(attempts, 2);
    await lazy.close();
    await lazy.close();
  });
});
