/**
 * The one test suite every backend, every wrapper (retry, fault injection) and
 * every cloud backend runs, so they all keep the contract in backend.ts the
 * same way. It uses only the Backend interface; each test works under its own
 * name prefix, so the tests share one backend without seeing each other.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { AbortedError, NotFoundError } from '../errors.js';
import type { Backend } from './backend.js';

/** What a backend's test file hands to the suite: a fresh, empty backend and how to dispose of it. */
export interface BackendFixture {
  readonly backend: Backend;
  cleanup(): Promise<void>;
}

/** Registers the conformance suite under `label`; `makeBackend` runs once, before the first test. */
export function runBackendConformance(label: string, makeBackend: () => Promise<BackendFixture>): void {
  describe(label, () => {
    let fixture: BackendFixture | undefined;
    const backend = (): Backend => {
      assert.ok(fixture, 'makeBackend did not finish');
      return fixture.backend;
    };
    before(async () => {
      fixture = await makeBackend();
    });
    after(async () => {
      await fixture?.cleanup();
    });

    test('location is a non-empty string', () => {
      assert.equal(typeof backend().location, 'string');
      assert.ok(backend().location.length > 0);
    });

    test('round trip of small, empty and multi-MiB objects', async () => {
      for (const [name, data] of [
        ['round/small', pattern(100, 1)],
        ['round/empty', new Uint8Array(0)],
        ['round/large', pattern(5 * 1024 * 1024 + 7, 2)],
      ] as const) {
        assert.equal(await backend().save(name, data), 'saved', name);
        const loaded = await backend().load(name);
        assert.ok(Buffer.isBuffer(loaded), `${name}: load returns a Buffer`);
        assertBytes(loaded, data, name);
        assert.equal((await backend().stat(name)).size, data.length, name);
      }
    });

    test('save stores only the bytes of a Uint8Array view', async () => {
      const whole = pattern(64, 3);
      const view = whole.subarray(10, 30);
      await backend().save('view/part', view);
      assertBytes(await backend().load('view/part'), whole.slice(10, 30));
    });

    test('range reads at the edges', async () => {
      const data = pattern(1000, 4);
      await backend().save('range/obj', data);
      const load = (offset: number, length: number) => backend().load('range/obj', { range: { offset, length } });
      assertBytes(await load(0, 10), data.subarray(0, 10), 'offset 0');
      assertBytes(await load(0, 1000), data, 'whole object as a range');
      assertBytes(await load(400, 200), data.subarray(400, 600), 'middle');
      assertBytes(await load(999, 1), data.subarray(999), 'last byte');
      assertBytes(await load(990, 50), data.subarray(990), 'range past the end');
      assertBytes(await load(1000, 5), new Uint8Array(0), 'offset at the end');
      assertBytes(await load(1500, 5), new Uint8Array(0), 'offset beyond the end');
      assertBytes(await load(500, 0), new Uint8Array(0), 'length 0');
    });

    test('range reads of an empty and a multi-MiB object', async () => {
      await backend().save('range/empty', new Uint8Array(0));
      assertBytes(await backend().load('range/empty', { range: { offset: 0, length: 10 } }), new Uint8Array(0));
      const large = pattern(3 * 1024 * 1024, 5);
      await backend().save('range/large', large);
      const offset = 2 * 1024 * 1024 - 3;
      const part = await backend().load('range/large', { range: { offset, length: 1024 * 1024 + 100 } });
      assertBytes(part, large.subarray(offset), 'tail of a large object');
    });

    test('load, ranged load, stat and remove of a missing object throw NotFoundError naming it', async () => {
      await rejectsWith(backend().load('missing/obj-1'), NotFoundError, ['load', 'missing/obj-1']);
      await rejectsWith(backend().load('missing/obj-1', { range: { offset: 0, length: 1 } }), NotFoundError, ['load']);
      await rejectsWith(backend().stat('missing/obj-1'), NotFoundError, ['stat', 'missing/obj-1']);
      await rejectsWith(backend().remove('missing/obj-1'), NotFoundError, ['remove', 'missing/obj-1']);
    });

    test('a folder of nested names is not itself an object', async () => {
      await backend().save('folder/inner/leaf', pattern(5, 6));
      for (const name of ['folder', 'folder/inner']) {
        await rejectsWith(backend().load(name), NotFoundError, [name]);
        await rejectsWith(backend().load(name, { range: { offset: 0, length: 0 } }), NotFoundError, [name]);
        await rejectsWith(backend().stat(name), NotFoundError, [name]);
        await rejectsWith(backend().remove(name), NotFoundError, [name]);
      }
      assertBytes(await backend().load('folder/inner/leaf'), pattern(5, 6));
    });

    test('nested names like data/ab/<64 hex>', async () => {
      const id = 'ab' + '0123456789abcdef'.repeat(4).slice(2);
      const name = `data/ab/${id}`;
      const data = pattern(300, 7);
      assert.equal(await backend().save(name, data), 'saved');
      assertBytes(await backend().load(name), data);
      assert.equal((await backend().stat(name)).size, 300);
      assert.deepEqual(await names(backend(), 'data/'), [name]);
      assert.deepEqual(await names(backend(), 'data/ab/'), [name]);
      assert.deepEqual(await names(backend(), 'data/ac/'), []);
      await backend().remove(name);
      assert.deepEqual(await names(backend(), 'data/'), []);
    });

    test('list by prefix returns more than 1,000 objects, each exactly once', async () => {
      const expected = Array.from({ length: 1100 }, (_, i) => `many/${String(i).padStart(4, '0')}`);
      await inBatches(expected, 50, (name, i) => backend().save(name, pattern(i % 7, i)));
      // Names that share characters with the prefix but do not start with it.
      for (const other of ['many-other/x', 'manyx', 'man/y', 'other/many/z']) await backend().save(other, pattern(1, 0));

      const listed = await collect(backend().list('many/'));
      const seen = listed.map((o) => o.name);
      assert.equal(seen.length, new Set(seen).size, 'no name listed twice');
      assert.deepEqual([...seen].sort(), expected);
      for (const object of listed) {
        const i = Number(object.name.slice('many/'.length));
        // A backend MAY report 0 when it does not know the size.
        assert.ok(object.size === i % 7 || object.size === 0, `${object.name}: size ${object.size}`);
      }
      const partial = (await names(backend(), 'many/10')).sort();
      assert.deepEqual(partial, expected.filter((n) => n.startsWith('many/10')), 'a prefix may end inside a segment');
    });

    test('list of the empty prefix includes every object; an unused prefix lists nothing', async () => {
      await backend().save('every/a', pattern(1, 1));
      await backend().save('every/b/c', pattern(2, 2));
      await backend().save('every-top', pattern(3, 3));
      const all = await names(backend(), '');
      assert.equal(all.length, new Set(all).size, 'no name listed twice');
      for (const name of ['every/a', 'every/b/c', 'every-top']) assert.ok(all.includes(name), name);
      assert.deepEqual(await names(backend(), 'unused/'), []);
      assert.deepEqual(await names(backend(), 'every/b/c/'), [], 'an object is not a folder');
    });

    test('save is save-if-absent: a second save returns exists and keeps the first bytes', async () => {
      assert.equal(await backend().save('once/obj', pattern(50, 8)), 'saved');
      assert.equal(await backend().save('once/obj', pattern(80, 9)), 'exists');
      assertBytes(await backend().load('once/obj'), pattern(50, 8));
    });

    test('concurrent saves of one name: exactly one is saved, and its bytes are stored', async () => {
      const candidates = Array.from({ length: 8 }, (_, i) => pattern(1000 + i * 997, 100 + i));
      const outcomes = await Promise.all(candidates.map((data) => backend().save('race/obj', data)));
      assert.equal(outcomes.filter((o) => o === 'saved').length, 1, `outcomes: ${outcomes.join(', ')}`);
      assert.equal(outcomes.filter((o) => o === 'exists').length, candidates.length - 1);
      const winner = candidates[outcomes.indexOf('saved')];
      assert.ok(winner);
      assertBytes(await backend().load('race/obj'), winner);
    });

    test('concurrent saves of different names all succeed', async () => {
      const objects = Array.from({ length: 40 }, (_, i) => [`parallel/${i}`, pattern(100 + i, 200 + i)] as const);
      const outcomes = await Promise.all(objects.map(([name, data]) => backend().save(name, data)));
      assert.ok(outcomes.every((o) => o === 'saved'));
      for (const [name, data] of objects) assertBytes(await backend().load(name), data, name);
      assert.equal((await names(backend(), 'parallel/')).length, objects.length);
    });

    test('remove deletes the object; it can then be saved anew', async () => {
      await backend().save('gone/obj', pattern(10, 10));
      await backend().remove('gone/obj');
      await rejectsWith(backend().load('gone/obj'), NotFoundError);
      await rejectsWith(backend().stat('gone/obj'), NotFoundError);
      await rejectsWith(backend().remove('gone/obj'), NotFoundError);
      assert.deepEqual(await names(backend(), 'gone/'), []);
      assert.equal(await backend().save('gone/obj', pattern(20, 11)), 'saved');
      assertBytes(await backend().load('gone/obj'), pattern(20, 11));
    });

    test('stat reports the size and a valid modification Date', async () => {
      await backend().save('stat/obj', pattern(1234, 12));
      await backend().save('stat/empty', new Uint8Array(0));
      for (const [name, size] of [['stat/obj', 1234], ['stat/empty', 0]] as const) {
        const info = await backend().stat(name);
        assert.equal(info.size, size, name);
        assert.ok(info.modified instanceof Date, `${name}: modified is a Date`);
        assert.ok(!Number.isNaN(info.modified.getTime()), `${name}: modified is a valid Date`);
      }
    });

    test('an aborted signal rejects every operation with AbortedError and changes nothing', async () => {
      await backend().save('abort/present', pattern(10, 13));
      const signal = AbortSignal.abort();
      await rejectsWith(backend().save('abort/new', pattern(10, 14), { signal }), AbortedError);
      await rejectsWith(backend().load('abort/present', { signal }), AbortedError);
      await rejectsWith(backend().load('abort/present', { signal, range: { offset: 0, length: 5 } }), AbortedError);
      await rejectsWith(backend().stat('abort/present', { signal }), AbortedError);
      await rejectsWith(backend().remove('abort/present', { signal }), AbortedError);
      await rejectsWith(collect(backend().list('abort/', { signal })), AbortedError);
      // An aborted save stores nothing.
      await rejectsWith(backend().load('abort/new'), NotFoundError);
      assertBytes(await backend().load('abort/present'), pattern(10, 13), 'an aborted remove removes nothing');
    });

    test('aborting during a listing rejects the rest of it with AbortedError', async () => {
      for (let i = 0; i < 5; i++) await backend().save(`abort-list/${i}`, pattern(1, i));
      const controller = new AbortController();
      const iterate = async () => {
        for await (const _ of backend().list('abort-list/', { signal: controller.signal })) controller.abort();
      };
      await rejectsWith(iterate(), AbortedError);
    });

    test('mutating the saved or loaded buffer does not change stored bytes', async () => {
      const data = pattern(100, 15);
      const original = Uint8Array.from(data);
      await backend().save('mutate/obj', data);
      data.fill(0xff);
      const first = await backend().load('mutate/obj');
      assertBytes(first, original, 'after mutating the saved buffer');
      first.fill(0xee);
      assertBytes(await backend().load('mutate/obj'), original, 'after mutating a loaded buffer');
      const part = await backend().load('mutate/obj', { range: { offset: 10, length: 10 } });
      part.fill(0xdd);
      assertBytes(await backend().load('mutate/obj'), original, 'after mutating a ranged load');
    });

    test('close is idempotent', async () => {
      await backend().close();
      await backend().close();
    });
  });
}

/** Deterministic bytes from a seed (xorshift32), so failures reproduce. */
function pattern(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = (seed * 2654435761 + 1) >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

function assertBytes(actual: Uint8Array, expected: Uint8Array, what = 'bytes'): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  assert.ok(Buffer.from(actual).equals(Buffer.from(expected)), `${what}: content differs`);
}

/** Asserts that `promise` rejects with `kind`, with a message mentioning each of `mentions`. */
async function rejectsWith(
  promise: Promise<unknown>,
  kind: new (...args: never[]) => Error,
  mentions: readonly string[] = [],
): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof kind, `expected ${kind.name}, got ${String(error)}`);
    for (const mention of mentions) {
      assert.ok(error.message.includes(mention), `message ${JSON.stringify(error.message)} lacks ${mention}`);
    }
    return true;
  });
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

async function names(backend: Backend, prefix: string): Promise<string[]> {
  return (await collect(backend.list(prefix))).map((o) => o.name);
}

/** Runs `task` over `items`, at most `size` at a time, so a large setup does not exhaust file handles. */
async function inBatches<T>(items: readonly T[], size: number, task: (item: T, index: number) => Promise<unknown>): Promise<void> {
  for (let start = 0; start < items.length; start += size) {
    await Promise.all(items.slice(start, start + size).map((item, i) => task(item, start + i)));
  }
}
