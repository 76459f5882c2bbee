import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BackendError, NotFoundError } from '../errors.js';
import { runBackendConformance } from './conformance.js';
import { FaultInjectingBackend, type FaultKind } from './fault-injecting.js';
import { MemoryBackend } from './memory.js';

runBackendConformance('FaultInjectingBackend at rate 0 conformance', async () => ({
  backend: new FaultInjectingBackend(new MemoryBackend(), { seed: 3, rate: 0 }),
  cleanup: async () => undefined,
}));

/** A backend holding `data` under `name`, wrapped to inject `kind` into every operation. */
async function always(kind: FaultKind, name = 'obj', data = Buffer.from('0123456789abcdef')) {
  const memory = new MemoryBackend();
  await memory.save(name, data);
  const events: string[] = [];
  const faulty = new FaultInjectingBackend(memory, { seed: 5, rate: 1, kinds: [kind], delayMs: 20, onFault: (e) => events.push(`${e.kind} ${e.operation} ${e.name}`) });
  return { memory, faulty, events, data };
}

const isTransient = (error: unknown) => error instanceof BackendError && error.transient && /\(injected fault\)$/.test(error.message);

describe('FaultInjectingBackend', () => {
  test('error: fails at once as a transient BackendError and changes nothing', async () => {
    const { memory, faulty, events } = await always('error');
    await assert.rejects(faulty.save('new', Buffer.from('x')), isTransient);
    await assert.rejects(memory.stat('new'), NotFoundError);
    await assert.rejects(faulty.remove('obj'), isTransient);
    assert.equal((await memory.stat('obj')).size, 16);
    await assert.rejects(faulty.load('obj'), isTransient);
    assert.deepEqual(events, ['error save new', 'error remove obj', 'error load obj']);
  });

  test('lost-response: the work is done, then it fails; a listing stops part way', async () => {
    const { memory, faulty } = await always('lost-response');
    await assert.rejects(faulty.save('new', Buffer.from('x')), isTransient);
    assert.equal((await memory.load('new')).toString(), 'x');
    await assert.rejects(faulty.remove('new'), isTransient);
    await assert.rejects(memory.stat('new'), NotFoundError);
    await assert.rejects(async () => {
      for await (const _ of faulty.list('')) { /* drain */ }
    }, isTransient);
  });

  test('timeout waits, then fails; slow waits, then succeeds', async () => {
    const timeout = (await always('timeout')).faulty;
    let start = performance.now();
    await assert.rejects(timeout.stat('obj'), isTransient);
    assert.ok(performance.now() - start >= 15);
    const slow = (await always('slow')).faulty;
    start = performance.now();
    assert.equal((await slow.stat('obj')).size, 16);
    assert.ok(performance.now() - start >= 15);
  });

  test('truncate returns a strict prefix; corrupt flips exactly one bit; neither touches what is stored', async () => {
    const truncating = await always('truncate');
    const short = await truncating.faulty.load('obj');
    assert.ok(short.length < truncating.data.length && truncating.data.subarray(0, short.length).equals(short));
    const corrupting = await always('corrupt');
    const damaged = await corrupting.faulty.load('obj');
    assert.equal(damaged.length, corrupting.data.length);
    let bits = 0;
    for (let i = 0; i < damaged.length; i++) for (let x = damaged[i]! ^ corrupting.data[i]!; x; x &= x - 1) bits += 1;
    assert.equal(bits, 1);
    assert.ok((await corrupting.memory.load('obj')).equals(corrupting.data));
  });

  test('no more than maxInARow faults in a row for one operation on one object', async () => {
    const memory = new MemoryBackend();
    await memory.save('a', Buffer.from('a'));
    const faulty = new FaultInjectingBackend(memory, { seed: 1, rate: 1, kinds: ['error'], maxInARow: 2 });
    const outcomes: string[] = [];
    for (let i = 0; i < 6; i++) outcomes.push(await faulty.load('a').then(() => 'ok', () => 'fault'));
    assert.deepEqual(outcomes, ['fault', 'fault', 'ok', 'fault', 'fault', 'ok']);
    // Counted per object: another name starts its own streak.
    await assert.rejects(faulty.stat('a'), isTransient);
  });

  test('the same seed injects the same faults into the same sequence of operations', async () => {
    const run = async () => {
      const events: string[] = [];
      const faulty = new FaultInjectingBackend(new MemoryBackend(), { seed: 42, rate: 0.5, kinds: ['error', 'lost-response'], onFault: (e) => events.push(`${e.kind} ${e.name}`) });
      for (let i = 0; i < 30; i++) await faulty.save(`s/${i}`, Buffer.from([i])).catch(() => undefined);
      return events;
    };
    const first = await run();
    assert.ok(first.length > 5 && first.length < 25, `${first.length} faults at rate 0.5`);
    assert.deepEqual(await run(), first);
  });
});
