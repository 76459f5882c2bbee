import { repairSnapshots, type SnapshotRepair } from '../../repairer/repair-snapshots.js';
import { rebuildIndex } from '../../repository/index.js';
import { shortId } from '../../format/index.js';
import type { Context } from '../context.js';
import { sanitizeForTerminal } from '../output.js';
import { selectSnapshots } from '../snapshot-selection.js';
import { PROGRAM } from '../version.js';

/** `repair index`: rebuild the index from the packs; the old index objects are removed once the new ones are stored. */
export async function index(ctx: Context): Promise<number> {
  const repository = await ctx.open();
  const progress = ctx.progress();
  const result = await rebuildIndex(repository, {
    onProgress: (p) => progress.update({ phase: 'repair index', files: p.done, bytes: 0, totalFiles: p.total }),
    signal: ctx.signal,
  });
  progress.done();
  for (const p of result.problems) ctx.warn({ code: 'REPAIR_LEFT_OUT', message: `${p.object}: ${p.message}` });
  for (const p of result.notRemoved) ctx.warn({ code: 'REPAIR_NOT_REMOVED', message: `${p.object}: old index object not removed: ${p.message}` });
  if (ctx.json) {
    ctx.outJson({
      type: 'summary', packsIndexed: result.packsIndexed, blobsIndexed: result.blobsIndexed,
      indexesWritten: result.indexesWritten.length, indexesRemoved: result.indexesRemoved.length,
      problems: result.problems, notRemoved: result.notRemoved,
    });
  } else {
    ctx.out(`indexed ${result.blobsIndexed} blobs in ${result.packsIndexed} packs: wrote ${result.indexesWritten.length} index object(s), `
      + `removed ${result.indexesRemoved.length} old one(s)`);
    if (result.problems.length > 0) ctx.out(`${result.problems.length} pack(s) or blob(s) left out because they do not verify (listed above)`);
  }
  return 0;
}

export interface RepairSnapshotsFlags { readData?: boolean; dryRun?: boolean; forget?: boolean }

/** `repair snapshots [SNAPSHOT...]`: save snapshots without the data they lost; say what was lost. */
export async function snapshots(ctx: Context, refs: string[], flags: RepairSnapshotsFlags): Promise<number> {
  const repository = await ctx.open();
  for (const issue of await repository.loadIndex(ctx.signal)) ctx.warn({ code: 'INDEX_UNREADABLE', message: `${issue.object}: ${issue.message}` });
  const selected = await selectSnapshots(ctx, repository, refs);
  const progress = ctx.progress();
  const results = await repairSnapshots(repository, {
    snapshots: selected, readData: flags.readData, dryRun: flags.dryRun, forget: flags.forget, program: PROGRAM,
    onRepair: (r) => report(ctx, r, flags.dryRun === true),
    onProgress: (p) => progress.update({ phase: 'repair snapshots', files: p.done, bytes: 0, totalFiles: p.total }),
    signal: ctx.signal,
  });
  progress.done();
  const damaged = results.filter((r) => r.lost.length > 0 || r.unrepairable);
  const lostPaths = results.reduce((n, r) => n + r.lost.length, 0);
  if (ctx.json) {
    ctx.outJson({
      type: 'summary', snapshots: results.length, damaged: damaged.length,
      repaired: results.filter((r) => r.repaired).length, lost: lostPaths, dryRun: flags.dryRun === true,
    });
  } else if (damaged.length === 0) {
    ctx.out(`${results.length} snapshot(s) checked: nothing lost`);
  } else {
    const done = flags.dryRun ? 'dry run: nothing written' : `${results.filter((r) => r.repaired).length} repaired`;
    ctx.out(`${results.length} snapshot(s) checked, ${damaged.length} damaged (${done}); ${lostPaths} path(s) lost`);
  }
  return results.some((r) => r.unrepairable || r.forgetError) ? 1 : 0;
}

function report(ctx: Context, r: SnapshotRepair, dryRun: boolean): void {
  if (ctx.json) {
    ctx.outJson({ type: 'repair', ...r });
    return;
  }
  if (r.unrepairable) {
    ctx.out(`snapshot ${shortId(r.snapshot)}: cannot be repaired: ${r.unrepairable}`);
    return;
  }
  if (r.lost.length === 0) return;
  ctx.out(`snapshot ${shortId(r.snapshot)}: lost ${r.lost.length} path(s):`);
  for (const l of r.lost) ctx.out(`  ${sanitizeForTerminal(l.path)}: ${sanitizeForTerminal(l.reason)}`);
  if (dryRun) ctx.out('  (dry run: nothing written)');
  else if (r.repaired) {
    ctx.out(`  saved as snapshot ${shortId(r.repaired)} (tagged "repaired")${r.forgotten ? `; ${shortId(r.snapshot)} removed` : ''}`);
  }
  if (r.forgetError) ctx.out(`  ${shortId(r.snapshot)} could not be removed: ${r.forgetError}`);
}
