import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AbortedError, BackendError, NotFoundError } from '../errors.js';
import type { Backend, ListedObject, LoadOptions, ObjectInfo, OperationOptions } from './backend.js';
import { runBackendConformance } from './conformance.js';
import { FaultInjectingBackend, TRANSIENT_FAULT_KINDS } from './fault-injecting.js';
import { MemoryBackend } from './memory.js';
import { RetryBackend, type RetryEvent } from './retry.js';
import { UnreachableError } from './unreachable-error.js';

runBackendConformance('RetryBackend over a backend failing transiently a quarter of the time', async () => ({
  backend: new RetryBackend(
    new FaultInjectingBackend(new MemoryBackend(), { seed: 1, rate: 0.25, kinds: TRANSIENT_FAULT_KINDS, delayMs: 1 }),
    { policy: { attempts: 20, baseDelayMs: 0, maxDelayMs: 0 } },
  ),
  cleanup: async () => undefined,
}));

/** A memory backend that throws the queued errors, one per call, before doing the real work (after it, for 'lost'; not at all, for 'ok'). */
class ScriptedBackend implements Backend {
  readonly location = 'scripted:';
  readonly inner = new MemoryBackend();
  readonly calls: string[] = [];
  private readonly script: (Error | 'lost' | 'ok')[] = [];

  fail(...errors: (Error | 'lost' | 'ok')[]): this {
    this.script.push(...errors);
    return this;
  }

  private async step<T>(operation: string, run: () => Promise<T>): Promise<T> {
    this.calls.push(operation);
    const next = this.script.shift();
    if (next instanceof Error) throw next;
    const result = await run();
    if (next === 'lost') throw transient(`${operation}: response lost`);
    return result;
  }

  save(name: string, data: Uint8Array, options?: OperationOptions) {
    return this.step('save', () => this.inner.save(name, data, options));
  }
  load(name: string, options?: LoadOptions) {
    return this.step('load', () => this.inner.load(name, options));
  }
  stat(name: string, options?: OperationOptions): Promise<ObjectInfo> {
    return this.step('stat', () => this.inner.stat(name, options));
  }
  remove(name: string, options?: OperationOptions) {
    return this.step('remove', () => this.inner.remove(name, options));
  }
  async *list(prefix: string, options?: OperationOptions): AsyncIterable<ListedObject> {
    this.calls.push('list');
    const next = this.script.shift();
    let yielded = 0;
    for await (const object of this.inner.list(prefix, options)) {
      if (next instanceof Error && yielded === 2) throw next;
      yield object;
      yielded += 1;
    }
  }
  close() {
    return this.inner.close();
  }
}

const transient = (message = 'reset') => new BackendError(message, { transient: true });
const permanent = (message = 'denied') => new BackendError(message, { transient: false });

function retrying(inner: Backend, events: RetryEvent[] = [], attempts = 5): RetryBackend {
  return new RetryBackend(inner, {
    policy: { attempts, baseDelayMs: 100, maxDelayMs: 300 },
    random: () => 0.5,
    sleep: async () => undefined,
    onRetry: (event) => events.push(event),
  });
}

describe('RetryBackend', () => {
  test('retries transient failures with growing, capped, jittered delays, then succeeds', async () => {
    const inner = new ScriptedBackend().fail(transient(), transient(), transient());
    await inner.inner.save('config', Buffer.from('c'));
    const events: RetryEvent[] = [];
    assert.equal((await retrying(inner, events).load('config')).toString(), 'c');
    assert.deepEqual(inner.calls, ['load', 'load', 'load', 'load']);
    // Equal jitter with random() = 0.5: three quarters of each step of 100, 200, 300 (capped) ms.
    assert.deepEqual(events.map((e) => [e.operation, e.name, e.attempt, e.delayMs]), [['load', 'config', 1, 75], ['load', 'config', 2, 150], ['load', 'config', 3, 225]]);
  });

  test('the jitter stays within half to all of each step', async () => {
    for (const random of [0, 0.999]) {
      const events: RetryEvent[] = [];
      const backend = new RetryBackend(new ScriptedBackend().fail(transient(), transient()), {
        policy: { attempts: 5, baseDelayMs: 1000, maxDelayMs: 60_000 }, random: () => random, sleep: async () => undefined, onRetry: (e) => events.push(e),
      });
      await backend.save('a', Buffer.from('x'));
      for (const [i, event] of events.entries()) {
        const step = 1000 * 2 ** i;
        assert.ok(event.delayMs >= step / 2 && event.delayMs <= step, `attempt ${event.attempt}: ${event.delayMs} within [${step / 2}, ${step}]`);
      }
    }
  });

  test('permanent errors, NotFoundError and non-coffer errors are not retried', async () => {
    for (const error of [permanent(), new NotFoundError('load config: not found'), new TypeError('bug')]) {
      const inner = new ScriptedBackend().fail(error);
      await assert.rejects(retrying(inner).load('config'), (thrown: unknown) => thrown === error);
      assert.deepEqual(inner.calls, ['load']);
    }
  });

  test('gives up after the last attempt, saying so and keeping the cause', async () => {
    const inner = new ScriptedBackend().fail(...Array.from({ length: 5 }, () => transient('load config: 503 ServiceUnavailable')));
    await assert.rejects(retrying(inner).load('config'), (error: unknown) => {
      assert.ok(error instanceof BackendError && error.transient);
      assert.equal(error.message, 'load config: 503 ServiceUnavailable (gave up after 5 attempts)');
      assert.ok(error.cause instanceof BackendError);
      return true;
    });
    assert.equal(inner.calls.length, 5);
  });

  test('an unreachable endpoint fails at once until a request has succeeded, then is retried', async () => {
    const refused = () => new UnreachableError('stat config: cannot reach s3:http://127.0.0.1:9: connection refused');
    const first = new ScriptedBackend().fail(refused());
    await assert.rejects(retrying(first).stat('config'), (error: unknown) => {
      assert.ok(error instanceof BackendError && !error.transient);
      assert.match(error.message, /connection refused \(not retried: no request to this storage has succeeded yet\)/);
      return true;
    });
    assert.equal(first.calls.length, 1);

    const later = new ScriptedBackend();
    const backend = retrying(later);
    await backend.save('config', Buffer.from('c'));
    later.fail(refused(), refused());
    assert.equal((await backend.load('config')).toString(), 'c');
    assert.deepEqual(later.calls, ['save', 'load', 'load', 'load']);
  });

  test('a save whose response was lost reports saved; one that finds another object reports exists', async () => {
    const inner = new ScriptedBackend().fail('lost');
    assert.equal(await retrying(inner).save('snapshots/a', Buffer.from('mine')), 'saved');
    assert.deepEqual(inner.calls, ['save', 'save', 'load']);

    const other = new ScriptedBackend();
    await other.inner.save('snapshots/b', Buffer.from('theirs'));
    other.fail(transient());
    assert.equal(await retrying(other).save('snapshots/b', Buffer.from('mine')), 'exists');
    assert.equal((await other.inner.load('snapshots/b')).toString(), 'theirs');
  });

  test('a remove whose response was lost succeeds; removing a missing object is still NotFoundError', async () => {
    const inner = new ScriptedBackend();
    await inner.inner.save('keys/k', Buffer.from('k'));
    inner.fail('ok', 'lost'); // the stat passes; the remove happens, its answer is lost
    await retrying(inner).remove('keys/k');
    await assert.rejects(inner.inner.stat('keys/k'), NotFoundError);
    await assert.rejects(retrying(new ScriptedBackend()).remove('keys/k'), NotFoundError);
  });

  test('a listing that breaks part way starts again and yields each name once', async () => {
    const inner = new ScriptedBackend();
    for (const name of ['a', 'b', 'c', 'd', 'e']) await inner.inner.save(`l/${name}`, Buffer.from(name));
    inner.fail(transient());
    const names: string[] = [];
    for await (const object of retrying(inner).list('l/')) names.push(object.name);
    assert.deepEqual(names.sort(), ['l/a', 'l/b', 'l/c', 'l/d', 'l/e']);
    assert.deepEqual(inner.calls, ['list', 'list']);
  });

  test('an abort during the backoff rejects at once with AbortedError', async () => {
    const controller = new AbortController();
    const backend = new RetryBackend(new ScriptedBackend().fail(transient()), { policy: { baseDelayMs: 60_000 }, onRetry: () => controller.abort() });
    const start = performance.now();
    await assert.rejects(backend.save('a', Buffer.from('x'), { signal: controller.signal }), AbortedError);
    assert.ok(performance.now() - start < 5_000);
  });
});
