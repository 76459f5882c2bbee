import { UsageError } from '../../errors.js';
import { dumpFile, dumpTar } from '../../restorer/dump.js';
import { displayPath } from '../../source/index.js';
import { lookupNode, snapshotPath } from '../../walker/index.js';
import type { Context } from '../context.js';
import { formatBytes } from '../format-bytes.js';
import { selectSnapshot, snapshotPathArg } from '../snapshot-ref.js';
import { stdoutOutput } from '../stdout-output.js';

export interface DumpFlags { tar?: boolean; allowUnverified?: boolean }

/**
 * Writes a file of a snapshot to stdout as its bytes, or a directory (or
 * anything else, or a file with --tar) as a tar stream.
 */
export async function run(ctx: Context, ref: string, path: string, flags: DumpFlags): Promise<number> {
  // stdout carries the data: JSON lines (and JSON errors) would corrupt it.
  if (ctx.json) throw new UsageError('dump writes the data to stdout, so --json is not available');
  const names = snapshotPathArg(path);
  const repository = await ctx.open();
  await repository.loadIndex(ctx.signal);
  const { snapshots } = await repository.listSnapshots(ctx.signal);
  const record = selectSnapshot(snapshots, ref, flags.allowUnverified === true);
  const root = record.snapshot.tree;
  const node = names.length === 0 ? undefined : await lookupNode(repository, root, names, ctx.signal);
  const output = stdoutOutput();
  const options = { source: repository, output, onWarning: ctx.warn.bind(ctx), signal: ctx.signal };
  const shown = displayPath(snapshotPath(names)) || '/';
  if (node?.type === 'file' && !flags.tar) {
    const bytes = await dumpFile(node, names, options);
    ctx.info(`dumped ${shown} (${formatBytes(bytes)}) from snapshot ${record.id.slice(0, 8)}`);
  } else {
    const result = await dumpTar(node ? [] : [root], node, names, options);
    ctx.info(`dumped ${shown} as tar: ${result.files} files, ${result.dirs} directories, ${formatBytes(result.bytes)} from snapshot ${record.id.slice(0, 8)}`);
  }
  return 0;
}
