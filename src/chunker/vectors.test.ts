import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Chunker } from './chunker.js';
import { chunkBuffer } from './fastcdc.js';
import type { ChunkerParams } from './params.js';
import { deriveGear, referenceChunkLengths, xorshift32Bytes } from './testing.js';

interface Vector {
  name: string;
  params: ChunkerParams;
  gearSeed: string;
  gearHead: number[];
  input: { kind: 'xorshift32'; seed: number; length: number } | { kind: 'zeros'; length: number };
  inputSha256: string;
  lengths: number[];
}

const file = JSON.parse(
  readFileSync(new URL('../../testdata/chunker-vectors.json', import.meta.url), 'utf8'),
) as { vectors: Vector[] };

function inputOf(v: Vector): Buffer {
  return v.input.kind === 'zeros' ? Buffer.alloc(v.input.length) : xorshift32Bytes(v.input.seed, v.input.length);
}

test('the vector file has the cases it promises', () => {
  assert.ok(file.vectors.length >= 8);
  assert.ok(file.vectors.some((v) => v.input.length > 20 * 1024 * 1024 && v.params.avg === 1024 * 1024));
  assert.ok(file.vectors.some((v) => v.input.kind === 'zeros'));
  assert.ok(file.vectors.some((v) => v.lengths.length === 0));
});

test('xorshift32 from seed 1 starts with the textbook first output, 270369, little-endian', () => {
  assert.deepEqual([...xorshift32Bytes(1, 6)], [0x21, 0x20, 0x04, 0x00, 0x01, 0x06]);
});

for (const v of file.vectors) {
  test(`vector: ${v.name}`, () => {
    const gear = deriveGear(Buffer.from(v.gearSeed, 'hex'));
    assert.deepEqual([...gear.subarray(0, v.gearHead.length)], v.gearHead, 'gear derivation');
    const data = inputOf(v);
    assert.equal(createHash('sha256').update(data).digest('hex'), v.inputSha256, 'input generation');
    assert.equal(v.lengths.reduce((a, b) => a + b, 0), data.length);

    assert.deepEqual(chunkBuffer(data, gear, v.params), v.lengths, 'chunkBuffer');
    assert.deepEqual(referenceChunkLengths(data, gear, v.params), v.lengths, 'spec transcription');
    // Streamed whole, in odd-sized pieces, and in pieces around the chunk sizes.
    for (const piece of [data.length, 65_537, v.params.avg - 1, v.params.max + 3]) {
      const chunker = new Chunker(v.params, gear);
      const lengths: number[] = [];
      for (let at = 0; at < data.length; at += piece) {
        for (const c of chunker.push(data.subarray(at, at + piece))) lengths.push(c.length);
      }
      for (const c of chunker.end()) lengths.push(c.length);
      assert.deepEqual(lengths, v.lengths, `Chunker with ${piece}-byte pushes`);
    }
  });
}
