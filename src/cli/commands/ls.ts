import { formatTimeNs, type TreeNode } from '../../format/index.js';
import { displayPath } from '../../source/index.js';
import { snapshotPath, walkTree } from '../../walker/index.js';
import type { Context } from '../context.js';
import { selectSnapshot } from '../snapshot-ref.js';

export interface LsFlags { long?: boolean; allowUnverified?: boolean }

/** Lists a snapshot's entries (below PATH if given) from trees alone; no data pack is read. */
export async function run(ctx: Context, ref: string, path: string | undefined, flags: LsFlags): Promise<number> {
  const repository = await ctx.openReader('ls');
  await repository.loadIndex(ctx.signal);
  const { snapshots } = await repository.listSnapshots(ctx.signal);
  const record = selectSnapshot(snapshots, ref, flags.allowUnverified === true);
  const prefix = path ? `/${path.replace(/^\/+|\/+$/g, '')}` : '';
  await walkTree(repository, record.snapshot.tree, ({ path: components, node }) => {
    const full = displayPath(snapshotPath(components));
    const inside = prefix === '' || full === prefix || full.startsWith(`${prefix}/`);
    const onTheWay = prefix.startsWith(`${full}/`);
    if (inside) print(ctx, full, node, flags.long === true);
    return inside || onTheWay;
  }, ctx.signal);
  return 0;
}

function print(ctx: Context, path: string, node: TreeNode, long: boolean): void {
  if (ctx.json) {
    ctx.outJson({
      type: 'node', path, nodeType: node.type, mode: node.mode, uid: node.uid, gid: node.gid, mtime: formatTimeNs(node.mtime),
      size: node.size ?? null, target: node.target ? displayPath(node.target) : null,
    });
  } else if (long) {
    const mode = node.mode.toString(8).padStart(4, '0');
    ctx.out(`${node.type.padEnd(8)} ${mode} ${String(node.uid).padStart(5)} ${String(node.gid).padStart(5)} ${String(node.size ?? '').padStart(12)} ${formatTimeNs(node.mtime).slice(0, 19)} ${path}${node.target ? ` -> ${displayPath(node.target)}` : ''}`);
  } else {
    ctx.out(path);
  }
}
