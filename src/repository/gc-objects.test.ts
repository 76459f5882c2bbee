// Signed gc plans and tombstones (docs/format.md "Garbage collection
// (prune)"): the independent vectors open with the owner key, and forged,
// mislabelled or misplaced objects are refused; loaders report them as issues.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { MemoryBackend } from '../backend/memory.js';
import { CofferError } from '../errors.js';
import type { GcPlan, PackId } from '../format/index.js';
import {
  decodePlanObject, decodeTombstoneObject, encodePlanObject, encodeTombstoneObject, loadPlans, loadTombstones,
  readStorageClock, savePlan, saveTombstone,
} from './gc-objects.js';
import { nameOf } from './testing.js';

interface Vectors {
  ownerPublicKey: string;
  ownerPrivateKey: string;
  plans: { plan: GcPlan; object?: string; id?: string }[];
  tombstones: { packs: PackId[]; object?: string; id?: string }[];
  negative: { name: string; decoder: string; hex: string; message: string }[];
}

const vectors = JSON.parse(readFileSync(new URL('../../testdata/gc-vectors.json', import.meta.url), 'utf8')) as Vectors;
const owner = { publicKey: Buffer.from(vectors.ownerPublicKey, 'hex'), privateKey: Buffer.from(vectors.ownerPrivateKey, 'hex') };

describe('gc objects', () => {
  test('vector objects are reproduced byte for byte and open with the owner key', () => {
    const [p] = vectors.plans;
    assert.equal(encodePlanObject(p!.plan, owner).bytes.toString('hex'), p!.object);
    assert.deepEqual(decodePlanObject(p!.id!, Buffer.from(p!.object!, 'hex'), owner.publicKey), p!.plan);
    const [t] = vectors.tombstones;
    assert.equal(encodeTombstoneObject(t!.packs, owner).bytes.toString('hex'), t!.object);
    assert.deepEqual(decodeTombstoneObject(t!.id!, Buffer.from(t!.object!, 'hex'), owner.publicKey), t!.packs);
  });

  test('negative object vectors fail with a coded error naming the problem', () => {
    let ran = 0;
    for (const v of vectors.negative) {
      const bytes = Buffer.from(v.hex, 'hex');
      const decode = v.decoder === 'planObject' ? () => decodePlanObject(nameOf(bytes), bytes, owner.publicKey)
        : v.decoder === 'tombstoneObject' ? () => decodeTombstoneObject(nameOf(bytes), bytes, owner.publicKey) : undefined;
      if (!decode) continue;
      assert.throws(decode, (e: unknown) => e instanceof CofferError && e.message.includes(v.message), v.name);
      ran += 1;
    }
    assert.equal(ran, 4);
  });

  test('an object under a name that is not its hash is refused', () => {
    const { bytes } = encodeTombstoneObject([], owner);
    assert.throws(() => decodeTombstoneObject('00'.repeat(32), bytes, owner.publicKey), /does not match its name/);
  });

  test('loaders return valid objects with their storage times, and report forged ones as issues', async () => {
    let now = 1_000_000;
    const backend = new MemoryBackend({ now: () => new Date(now) });
    const plan: GcPlan = { windowMs: 3_600_000, candidates: [{ id: 'aa'.repeat(32) as PackId, type: 'data' }], knownIndexes: [] };
    const saved = await savePlan(backend, plan, owner, {});
    assert.equal(saved.time?.getTime(), 1_000_000);
    now += 5;
    const forged = Buffer.from(vectors.negative.find((n) => n.name === 'plan object signed by another key')!.hex, 'hex');
    await backend.save(`plans/${nameOf(forged)}`, forged);
    const { plans, issues } = await loadPlans(backend, owner.publicKey, { withTimes: true });
    assert.deepEqual(plans.map((p) => [p.id, p.time?.getTime()]), [[saved.id, 1_000_000]]);
    assert.equal(issues.length, 1);
    assert.match(issues[0]!.message, /not signed by the owner key/);

    await saveTombstone(backend, ['bb'.repeat(32) as PackId], owner);
    const flipped = Buffer.from(vectors.negative.find((n) => n.decoder === 'tombstoneObject')!.hex, 'hex');
    await backend.save(`tombstones/${nameOf(flipped)}`, flipped);
    const loaded = await loadTombstones(backend, owner.publicKey);
    assert.deepEqual(loaded.tombstones.map((t) => t.packs), [['bb'.repeat(32)]]);
    assert.equal(loaded.issues.length, 1);

    now = 42_000;
    const clock = await readStorageClock(backend);
    assert.equal(clock.now.getTime(), 42_000, 'storage now is the probe\'s modification time');
    assert.match(clock.probe, /^clock\/[0-9a-f]{64}$/);
  });
});
