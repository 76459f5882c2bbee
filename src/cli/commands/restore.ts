import { UsageError } from '../../errors.js';
import { Restorer } from '../../restorer/restorer.js';
import { Excluder, RestoreTarget } from '../../source/index.js';
import type { Context } from '../context.js';
import { formatBytes } from '../format-bytes.js';
import { selectSnapshot } from '../snapshot-ref.js';

export interface RestoreFlags {
  target?: string;
  include?: string[];
  exclude?: string[];
  overwrite?: boolean;
  allowUnverified?: boolean;
}

export async function run(ctx: Context, ref: string, flags: RestoreFlags): Promise<number> {
  if (!flags.target) throw new UsageError('restore: --target DIR is required');
  const repository = await ctx.openReader('restore');
  await repository.loadIndex(ctx.signal);
  const { snapshots } = await repository.listSnapshots(ctx.signal);
  const record = selectSnapshot(snapshots, ref, flags.allowUnverified === true);
  const target = await RestoreTarget.open(flags.target, { onWarning: (w) => ctx.warn(w), signal: ctx.signal });
  const progress = ctx.progress();
  const result = await new Restorer({
    source: repository,
    target,
    include: flags.include?.length ? new Excluder(flags.include) : undefined,
    exclude: flags.exclude?.length ? new Excluder(flags.exclude) : undefined,
    overwrite: flags.overwrite === true,
    onWarning: (w) => { if (w.code !== 'RESTORE_FAILED') ctx.warn(w); },
    onProgress: (p) => progress.update({ phase: 'restore', files: p.files, bytes: p.bytes, currentPath: p.currentPath }),
    signal: ctx.signal,
  }).run(record.snapshot.tree);
  progress.done();
  if (ctx.json) {
    ctx.outJson({
      type: 'summary', snapshot: record.id, files: result.files, dirs: result.dirs, bytes: result.bytes,
      failures: result.failures.map((f) => ({ path: f.path, message: f.error.message })),
    });
  } else {
    for (const failure of result.failures) process.stderr.write(`error: ${failure.path}: ${failure.error.message}\n`);
    ctx.out(`restored ${result.files} files, ${result.dirs} directories, ${formatBytes(result.bytes)} from snapshot ${record.id.slice(0, 8)} to ${flags.target}`);
    if (result.failures.length > 0) ctx.out(`${result.failures.length} file(s) could not be restored (listed above)`);
  }
  return result.failures.length > 0 ? 1 : 0;
}
