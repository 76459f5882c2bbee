import { check } from '../../checker/checker.js';
import { UsageError } from '../../errors.js';
import type { Context } from '../context.js';
import { parseFraction } from '../sizes.js';

export interface CheckFlags { readData?: boolean; readDataSubset?: string; endorse?: boolean }

export async function run(ctx: Context, flags: CheckFlags): Promise<number> {
  const repository = await ctx.openReader('check');
  const subset = flags.readDataSubset ? parseFraction(flags.readDataSubset, '--read-data-subset') : undefined;
  if (flags.endorse && flags.readData !== true && subset === undefined) throw new UsageError('check --endorse needs --read-data (or --read-data-subset): only packs read are endorsed');
  const progress = ctx.progress();
  const result = await check(repository, {
    readData: flags.readData === true || subset !== undefined,
    readDataSubset: subset,
    endorse: flags.endorse === true,
    highWater: ctx.highWater(),
    onProgress: (p) => progress.update({ phase: p.phase, files: p.done, bytes: 0, totalFiles: p.total }),
    signal: ctx.signal,
  });
  progress.done();
  if (ctx.json) {
    ctx.outJson({ type: 'check', ok: result.problems.length === 0, problems: result.problems, notes: result.notes,
      snapshots: result.snapshots, packsRead: result.packsRead, blobsRead: result.blobsRead,
      packsEndorsed: result.packsEndorsed, endorsedIndexes: result.endorsedIndexes });
  } else {
    for (const p of result.problems) process.stderr.write(`error: ${p.object}: ${p.message}\n`);
    for (const note of result.notes) ctx.info(`note: ${note}`);
    if (result.endorsedIndexes.length > 0) ctx.info(`endorsed ${result.packsEndorsed} verified pack(s): every host now deduplicates against them`);
    ctx.out(result.problems.length === 0
      ? `no problems found (${result.snapshots} snapshots${result.packsRead ? `, ${result.packsRead} packs and ${result.blobsRead} blobs read` : ''})`
      : `${result.problems.length} problem(s) found`);
  }
  return result.problems.length === 0 ? 0 : 1;
}
