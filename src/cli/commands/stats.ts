import { BlobType, formatTimeNs } from '../../format/index.js';
import type { BlobIndex } from '../../repository/index.js';
import { BlobSet, countTree, type BlobTotals, type TreeCounts } from '../../walker/index.js';
import type { Context } from '../context.js';
import { formatBytes } from '../format-bytes.js';
import { renderTable, sanitizeForTerminal } from '../output.js';
import { selectSnapshots } from '../snapshot-ref.js';

export interface StatsFlags { allowUnverified?: boolean }

/**
 * Sizes per snapshot, for the snapshots together, and for the repository,
 * from trees and the index alone (docs: README "Finding and comparing").
 */
export async function run(ctx: Context, refs: string[], flags: StatsFlags): Promise<number> {
  const repository = await ctx.open();
  for (const issue of await repository.loadIndex(ctx.signal)) ctx.warn({ code: 'INDEX_UNREADABLE', message: `${issue.object}: ${issue.message}` });
  const { snapshots: records, issues } = await repository.listSnapshots(ctx.signal);
  for (const issue of issues) ctx.warn({ code: 'SNAPSHOT_UNREADABLE', message: `${issue.object}: ${issue.message}` });
  const selected = selectSnapshots(records, refs, flags.allowUnverified === true);
  const index = repository.index;
  const union = new BlobSet(index);
  const total: TreeCounts = { files: 0, dirs: 0, others: 0, restoreSize: 0 };
  const rows: string[][] = [];
  for (const record of selected) {
    const own = new BlobSet(index);
    const counts = await countTree(repository, record.snapshot.tree, [own, union], ctx.signal);
    for (const key of Object.keys(total) as (keyof TreeCounts)[]) total[key] += counts[key];
    if (own.missing > 0) ctx.warn({ code: 'BLOBS_MISSING', message: `snapshot ${record.id.slice(0, 8)}: ${own.missing} blob(s) not in the index (run check)` });
    const time = formatTimeNs(record.snapshot.time);
    if (ctx.json) {
      ctx.outJson({ type: 'snapshot', id: record.id, time, hostname: record.snapshot.hostname, ...counts, data: own.data, tree: own.tree, missingBlobs: own.missing });
    } else {
      rows.push([
        record.id.slice(0, 8), time.slice(0, 19).replace('T', ' '), sanitizeForTerminal(record.snapshot.hostname),
        String(counts.files), String(counts.dirs), formatBytes(counts.restoreSize), String(own.data.blobs),
        formatBytes(own.data.storedBytes + own.tree.storedBytes),
      ]);
    }
  }
  const repositoryTotals = indexTotals(index);
  const all = selected.length === records.length;
  const unreferenced = {
    blobs: repositoryTotals.blobs - union.data.blobs - union.tree.blobs,
    storedBytes: repositoryTotals.storedBytes - union.data.storedBytes - union.tree.storedBytes,
  };
  const ratio = (a: number, b: number) => (b > 0 ? Math.round((a / b) * 100) / 100 : null);
  const totals = {
    snapshots: selected.length, ...total, data: union.data, tree: union.tree, missingBlobs: union.missing,
    // Restore size of all the snapshots over the distinct data they need: what deduplication saves.
    dedupRatio: ratio(total.restoreSize, union.data.rawBytes),
    // Distinct data over what it takes in storage: what compression saves (after padding and sealing).
    compressionRatio: ratio(union.data.rawBytes, union.data.storedBytes),
  };
  if (ctx.json) {
    ctx.outJson({ type: 'total', ...totals });
    ctx.outJson({ type: 'repository', ...repositoryTotals, unreferenced: { ...unreferenced, ofAllSnapshots: all } });
    return 0;
  }
  if (rows.length > 0) {
    ctx.out(renderTable(['ID', 'Time', 'Host', 'Files', 'Dirs', 'Restore size', 'Data blobs', 'Stored'], rows,
      { align: ['left', 'left', 'left', 'right', 'right', 'right', 'right', 'right'] }).trimEnd());
    ctx.out('');
  }
  const times = (r: number | null) => (r === null ? 'n/a' : `${r.toFixed(2)}x`);
  ctx.out(`${all ? 'all' : 'selected'} ${selected.length} snapshot(s): ${formatBytes(total.restoreSize)} in ${total.files} files and ${total.dirs} directories`);
  ctx.out(`  distinct data: ${union.data.blobs} blobs, ${formatBytes(union.data.rawBytes)}, stored in ${formatBytes(union.data.storedBytes)}; trees: ${union.tree.blobs} blobs, ${formatBytes(union.tree.storedBytes)}`);
  ctx.out(`  deduplication ${times(totals.dedupRatio)}, compression ${times(totals.compressionRatio)}`);
  ctx.out(`repository: ${repositoryTotals.packs} packs, ${repositoryTotals.blobs} blobs, ${formatBytes(repositoryTotals.storedBytes)} stored`);
  ctx.out(`  ${unreferenced.blobs} blobs (${formatBytes(unreferenced.storedBytes)}) not referenced by ${all ? 'any snapshot (prune reclaims them)' : 'these snapshots'}`);
  return 0;
}

/** Everything the index lists, referenced or not. */
function indexTotals(index: BlobIndex) {
  const data: BlobTotals = { blobs: 0, rawBytes: 0, storedBytes: 0 };
  const tree: BlobTotals = { blobs: 0, rawBytes: 0, storedBytes: 0 };
  for (const [, location] of index.entries()) {
    const totals = location.type === BlobType.tree ? tree : data;
    totals.blobs += 1;
    totals.rawBytes += location.rawLength;
    totals.storedBytes += location.sealedLength;
  }
  return { packs: index.packs.length, blobs: data.blobs + tree.blobs, storedBytes: data.storedBytes + tree.storedBytes, data, tree };
}
