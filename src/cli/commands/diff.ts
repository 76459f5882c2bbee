import { formatTimeNs, type TreeNode } from '../../format/index.js';
import { displayPath } from '../../source/index.js';
import { diffTrees, snapshotPath, type Change, type ChangeKind } from '../../walker/index.js';
import type { Context } from '../context.js';
import { formatBytes } from '../format-bytes.js';
import { selectSnapshot } from '../snapshot-ref.js';

export interface DiffFlags { allowUnverified?: boolean }

interface Side { files: number; dirs: number; others: number; bytes: number }

const MARK: Record<ChangeKind, string> = { added: '+', removed: '-', modified: 'M', metadata: 'U', type: 'T' };

/** Lists what changed from one snapshot to another, from trees alone; unchanged directories are not even loaded. */
export async function run(ctx: Context, first: string, second: string, flags: DiffFlags): Promise<number> {
  const repository = await ctx.open();
  await repository.loadIndex(ctx.signal);
  const { snapshots } = await repository.listSnapshots(ctx.signal);
  const before = selectSnapshot(snapshots, first, flags.allowUnverified === true);
  const after = selectSnapshot(snapshots, second, flags.allowUnverified === true);
  if (before.snapshot.domain !== after.snapshot.domain) {
    ctx.warn({
      code: 'DIFF_DOMAINS',
      message: `the snapshots are in different dedup domains (${before.snapshot.domain}, ${after.snapshot.domain}): their blob ids never match, so every file shows as modified`,
    });
  }
  const summary = {
    added: { files: 0, dirs: 0, others: 0, bytes: 0 } as Side,
    removed: { files: 0, dirs: 0, others: 0, bytes: 0 } as Side,
    modified: 0, metadata: 0, typeChanged: 0,
  };
  if (!ctx.json) ctx.out(`comparing snapshot ${before.id.slice(0, 8)} to ${after.id.slice(0, 8)}:`);
  await diffTrees(repository, before.snapshot.tree, after.snapshot.tree, (change) => {
    count(summary, change);
    const path = displayPath(snapshotPath(change.path));
    if (ctx.json) {
      ctx.outJson({
        type: 'change', change: change.kind, path, nodeType: (change.after ?? change.before)!.type,
        before: change.before ? nodeJson(change.before) : null, after: change.after ? nodeJson(change.after) : null,
        fields: change.fields ?? [],
      });
    } else {
      const detail = change.kind === 'type' ? ` (${change.before!.type} -> ${change.after!.type})`
        : change.fields?.length ? ` (${change.fields.join(', ')})` : '';
      ctx.out(`${MARK[change.kind]}    ${path}${detail}`);
    }
  }, ctx.signal);
  if (ctx.json) {
    ctx.outJson({ type: 'summary', before: before.id, after: after.id, ...summary });
  } else {
    const side = (s: Side) => `${s.files} files, ${s.dirs} directories, ${s.others} other, ${formatBytes(s.bytes)}`;
    ctx.out('');
    ctx.out(`added:    ${side(summary.added)}`);
    ctx.out(`removed:  ${side(summary.removed)}`);
    ctx.out(`modified: ${summary.modified}; metadata only: ${summary.metadata}; type changed: ${summary.typeChanged}`);
  }
  return 0;
}

function count(summary: { added: Side; removed: Side; modified: number; metadata: number; typeChanged: number }, change: Change): void {
  if (change.kind === 'modified') summary.modified += 1;
  else if (change.kind === 'metadata') summary.metadata += 1;
  else if (change.kind === 'type') summary.typeChanged += 1;
  else {
    const side = summary[change.kind];
    const node = (change.after ?? change.before)!;
    if (node.type === 'file') {
      side.files += 1;
      side.bytes += node.size ?? 0;
    } else if (node.type === 'dir') {
      side.dirs += 1;
    } else {
      side.others += 1;
    }
  }
}

function nodeJson(node: TreeNode) {
  return { type: node.type, size: node.size ?? null, mode: node.mode, uid: node.uid, gid: node.gid, mtime: formatTimeNs(node.mtime) };
}
