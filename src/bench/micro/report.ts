/** The Markdown table of the micro-benchmarks. */
import type { IndexFigures, Rate } from './blob-index.js';
import type { Throughput } from './codec-and-chunker.js';

export interface MicroResult {
  readonly format: 'coffer-bench-micro/1';
  readonly startedAt: string;
  readonly command: string;
  readonly host: { readonly cpu: string; readonly cores: number; readonly node: string; readonly loadAverage: readonly [number, number] };
  readonly sampleBytes: number;
  readonly throughput: readonly Throughput[];
  readonly index: readonly IndexFigures[];
}

const count = (v: number): string => (v >= 1e6 ? `${(v / 1e6).toFixed(2)} M` : `${(v / 1e3).toFixed(0)} k`);
const showRate = (r: Rate): string => `${count(r.perCpuSecond)} (${count(r.perSecond)})`;
const mb = (v: number): string => (Number.isNaN(v) ? 'n/a' : v.toFixed(0));
const bytes = (v: number | undefined): string => (v === undefined ? 'n/a' : v.toFixed(1));

export function renderMicroMarkdown(r: MicroResult): string {
  const lines = [
    `### Micro-benchmarks (${r.startedAt.slice(0, 10)})`, '',
    `${r.host.cores} × ${r.host.cpu}, node ${r.host.node}; load average ${r.host.loadAverage[0].toFixed(1)} at start, `
      + `${r.host.loadAverage[1].toFixed(1)} at end. Samples of ${r.sampleBytes / 2 ** 20} MiB, median of 3. Command: \`${r.command}\``, '',
    '| stage | MB per CPU-second | MB/s (wall) | note |', '|---|---:|---:|---|',
    ...r.throughput.map((t) => `| ${t.name} | ${mb(t.mbPerCpuSecond)} | ${mb(t.mbPerSecond)} | ${t.note ?? ''} |`),
    '',
    'Rates per CPU-second of the process (per wall-clock second in brackets): on a busy shared machine the wall figures mostly measure the other tenants.',
    '',
    '| BlobIndex blobs | adds | lookups (hit) | lookups (miss) | bytes/blob, heap + buffers | bytes/blob, typed arrays |',
    '|---:|---:|---:|---:|---:|---:|',
    ...r.index.map((f) => `| ${count(f.blobs)} | ${showRate(f.inserts)} | ${showRate(f.hitLookups)} | `
      + `${showRate(f.missLookups)} | ${bytes(f.heapBytesPerBlob)} | ${bytes(f.typedArrayBytesPerBlob)} |`),
    '',
    `Index memory: "heap + buffers" is the growth of V8's used heap plus ArrayBuffer memory across building the index, after full `
      + `garbage collections (everything the index holds, pack id strings and growth slack included; ${r.index[0]?.blobsPerPack ?? 16} blobs per pack); `
      + `"typed arrays" is the allocated byteLength of the index's typed arrays (capacity, slack included).`,
  ];
  return `${lines.join('\n')}\n`;
}
