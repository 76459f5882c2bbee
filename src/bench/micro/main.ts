/**
 * `npm run bench:micro`: throughput of coffer's CPU stages and the memory
 * and speed of the blob index, written to bench/results/ like the main
 * benchmark. Run with node --expose-gc (the npm script does) for memory
 * figures.
 */
import { cpus, loadavg } from 'node:os';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import {
  blobIdThroughput, chunkerThroughput, poolThroughput, sampleBytes, zstdThroughput, type Throughput,
} from './codec-and-chunker.js';
import { indexFigures, type IndexFigures } from './blob-index.js';
import { renderMicroMarkdown, type MicroResult } from './report.js';
import { packThroughput } from './packs.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const MiB = 2 ** 20;
const log = (line: string): void => void process.stderr.write(`${line}\n`);

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { quick: { type: 'boolean', default: false }, 'results-dir': { type: 'string' }, help: { type: 'boolean', default: false } },
  });
  if (values.help) {
    process.stdout.write('usage: npm run bench:micro -- [--quick] [--results-dir DIR]\n  --quick  64 MiB samples and a 1 million blob index (default: 256 MiB, 1/5/10 million)\n');
    return;
  }
  const quick = values.quick === true;
  const size = (quick ? 64 : 256) * MiB;
  const reps = 3;
  const startedAt = new Date().toISOString();
  const loadAtStart = loadavg()[0]!;

  const random = sampleBytes('random', size);
  const text = sampleBytes('text', size);
  const throughput: Throughput[] = [];
  const note = (t: Throughput): void => {
    throughput.push(t);
    log(`${t.name}: ${t.mbPerSecond.toFixed(0)} MB/s, ${t.mbPerCpuSecond.toFixed(0)} MB/CPU-s${t.note ? ` (${t.note})` : ''}`);
  };
  note(await chunkerThroughput(random, reps));
  note(await blobIdThroughput(random, reps));
  for (const t of await zstdThroughput('text', text, reps)) note(t);
  for (const t of await zstdThroughput('random', random, reps)) note(t);
  note(await poolThroughput(text, reps));
  for (const t of await packThroughput(random, reps)) note(t);

  const index: IndexFigures[] = [];
  for (const blobs of quick ? [1e6] : [1e6, 5e6, 10e6]) {
    const f = await indexFigures(blobs, 1 << 20);
    index.push(f);
    log(`BlobIndex ${blobs / 1e6}M: ${(f.inserts.perCpuSecond / 1e6).toFixed(2)}M adds/CPU-s, ${(f.hitLookups.perCpuSecond / 1e6).toFixed(2)}M hits/CPU-s, `
      + `${(f.missLookups.perCpuSecond / 1e6).toFixed(2)}M misses/CPU-s, ${f.heapBytesPerBlob?.toFixed(1) ?? '?'} B/blob (heap + buffers), `
      + `${f.typedArrayBytesPerBlob?.toFixed(1) ?? '?'} B/blob (typed arrays)`);
  }

  const result: MicroResult = {
    format: 'coffer-bench-micro/1', startedAt, command: `npm run bench:micro${quick ? ' -- --quick' : ''}`,
    host: { cpu: cpus()[0]?.model.trim() ?? 'unknown', cores: cpus().length, node: process.version, loadAverage: [loadAtStart, loadavg()[0]!] },
    sampleBytes: size, throughput, index,
  };
  const markdown = renderMicroMarkdown(result);
  const resultsDir = values['results-dir'] ?? join(ROOT, 'bench/results');
  await mkdir(resultsDir, { recursive: true });
  const base = join(resultsDir, `${startedAt.replace(/[:.]/g, '-')}-micro${quick ? '-quick' : ''}`);
  const json = `${JSON.stringify(result, null, 1)}\n`;
  await writeFile(`${base}.json`, json);
  await writeFile(`${base}.md`, markdown);
  if (!quick) {
    await writeFile(join(resultsDir, 'latest-micro.json'), json);
    await writeFile(join(resultsDir, 'latest-micro.md'), markdown);
  }
  process.stdout.write(`\n${markdown}\nwritten: ${base}.json, ${base}.md\n`);
}

main().catch((error: unknown) => {
  log(`bench:micro failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
  process.exitCode = 1;
});
