import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Snapshot } from '../format/index.js';
import type { SignerHead, SnapshotRecord } from '../repository/index.js';
import { checkChains } from './chains.js';

const hex = (n: number) => n.toString(16).padStart(2, '0').repeat(32);
const A = hex(0xa1);
const B = hex(0xb2);

/** A verified snapshot record of `signer` with `sequence`, named `id`, following `previous`. */
function record(signer: string, id: number, sequence: number, previous: number | null, verified = true): SnapshotRecord {
  const snapshot = {
    signer: Buffer.from(signer, 'hex'), sequence, previous: previous === null ? null : hex(previous),
  } as unknown as Snapshot;
  return { id: hex(id), snapshot, signerName: 'x', verified, status: verified ? 'verified' : 'unknown-signer' };
}

/** A chain of `n` snapshots of `signer` with ids base+1 .. base+n. */
function chain(signer: string, base: number, n: number): SnapshotRecord[] {
  return Array.from({ length: n }, (_, i) => record(signer, base + i + 1, i + 1, i === 0 ? null : base + i));
}

const noMarks = new Map<string, SignerHead>();

describe('checkChains', () => {
  test('unbroken chains of two signers: no problem, no note', () => {
    const report = checkChains([...chain(A, 0, 4), ...chain(B, 0x40, 2)], noMarks);
    assert.deepEqual(report, { problems: [], notes: [] });
  });

  test('a snapshot deleted in the middle is named through its successor', () => {
    const records = chain(A, 0, 5).filter((r) => r.id !== hex(3));
    const { problems } = checkChains(records, noMarks);
    assert.equal(problems.length, 1, JSON.stringify(problems));
    assert.match(problems[0]!.message, new RegExp(`follows snapshot ${hex(3).slice(0, 8)}, which is missing`));
    assert.equal(problems[0]!.object, `snapshots/${hex(4)}`);
  });

  test('several consecutive deletions: the one named by its successor, and the run before it', () => {
    const records = chain(A, 0, 6).filter((r) => ![2, 3, 4].includes(r.snapshot.sequence));
    const messages = checkChains(records, noMarks).problems.map((p) => p.message);
    assert.equal(messages.length, 2, messages.join('\n'));
    assert.ok(messages.some((m) => m.includes('sequences 2 to 3 are missing')), messages.join('\n'));
    assert.ok(messages.some((m) => m.includes(`follows snapshot ${hex(4).slice(0, 8)}`)), messages.join('\n'));
  });

  test('the newest snapshot hidden: caught only by the high-water mark', () => {
    const records = chain(A, 0, 3);
    assert.deepEqual(checkChains(records, noMarks).problems, []);
    const marks = new Map([[A, { sequence: 4, snapshot: hex(4) }]]);
    const { problems } = checkChains(records, marks);
    assert.equal(problems.length, 1);
    assert.match(problems[0]!.message, /sequence 4\), seen before by this client, is missing from storage; the newest left is sequence 3/);
    // Every snapshot of a signer hidden.
    assert.match(checkChains([], marks).problems[0]!.message, /no snapshot of this signer is left/);
  });

  test('a mark that storage still shows, or that a newer snapshot follows, is no problem', () => {
    assert.deepEqual(checkChains(chain(A, 0, 3), new Map([[A, { sequence: 3, snapshot: hex(3) }]])).problems, []);
    assert.deepEqual(checkChains(chain(A, 0, 5), new Map([[A, { sequence: 3, snapshot: hex(3) }]])).problems, []);
  });

  test('a broken previous link, and two snapshots with one sequence number (a note)', () => {
    const broken = [...chain(A, 0, 3), record(A, 9, 4, 1)];
    assert.match(checkChains(broken, noMarks).problems[0]!.message, /names 01010101 as previous, whose sequence is 1: the chain is broken/);
    const restarted = [...chain(A, 0, 3), record(A, 0x21, 1, null), record(A, 0x22, 2, 0x21)];
    const report = checkChains(restarted, noMarks);
    assert.deepEqual(report.problems, []);
    assert.equal(report.notes.length, 2);
    assert.match(report.notes[0]!, /2 snapshots share sequence 1/);
  });

  test('unverified snapshots are not part of any chain; forgotten snapshots are not gaps', () => {
    const forged = [...chain(A, 0, 2), record(A, 0x30, 7, 0x2f, false)];
    assert.deepEqual(checkChains(forged, noMarks).problems, []);
    const records = chain(A, 0, 5).filter((r) => r.snapshot.sequence > 2);
    assert.equal(checkChains(records, noMarks).problems.length, 2);
    const forgotten = { ids: new Set([hex(2)]), positions: new Set([`${A}:1`, `${A}:2`]) };
    assert.deepEqual(checkChains(records, noMarks, forgotten).problems, []);
  });
});
