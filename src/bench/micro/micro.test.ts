// The micro-benchmarks run on the real components and check their own
// results (every indexed id found, no foreign id found, blobs reopen);
// here at a size that takes a moment, and their table renders.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { indexFigures } from './blob-index.js';
import { chunkerThroughput, sampleBytes, zstdThroughput } from './codec-and-chunker.js';
import { packThroughput } from './packs.js';
import { renderMicroMarkdown } from './report.js';

test('micro-benchmarks run on small samples and render', async () => {
  const random = sampleBytes('random', 2 * 2 ** 20);
  const text = sampleBytes('text', 2 * 2 ** 20);
  const throughput = [
    await chunkerThroughput(random, 1),
    ...(await zstdThroughput('text', text, 1)),
    ...(await zstdThroughput('random', random, 1)),
    ...(await packThroughput(random, 1)),
  ];
  for (const t of throughput.filter((x) => x.bytes > 0)) assert.ok(t.mbPerSecond > 0 && Number.isFinite(t.mbPerCpuSecond), t.name);
  assert.match(throughput[1]!.note ?? '', /^ratio [2-4]\./, 'text compresses like text');
  assert.equal(throughput[4]!.note, 'not compressed: stored raw');

  const index = await indexFigures(20_000, 4096);
  // 32 id bytes + 6 u32 fields + a flag byte, at least, per blob.
  assert.ok(index.typedArrayBytesPerBlob !== undefined && index.typedArrayBytesPerBlob >= 57, `${index.typedArrayBytesPerBlob}`);
  assert.ok(index.hitLookups.perSecond > 0 && index.missLookups.perSecond > 0);

  const md = renderMicroMarkdown({
    format: 'coffer-bench-micro/1', startedAt: '2026-11-22T12:00:00Z', command: 'npm run bench:micro -- --quick',
    host: { cpu: 'cpu', cores: 2, node: 'v20', loadAverage: [1, 1] }, sampleBytes: random.length, throughput, index: [index],
  });
  assert.match(md, /\| seal packs \(buildPack\) \| \d+ \| \d+ \| 16 × 1 MiB raw blobs per pack \|/);
  assert.match(md, /\| 20 k \| [\d.]+ [kM] \(/);
});
