import { UsageError } from '../../errors.js';
import { formatTimeNs, type TreeNode } from '../../format/index.js';
import { displayPath, Excluder } from '../../source/index.js';
import { Finder, snapshotPath, type FindCriteria } from '../../walker/index.js';
import type { Context } from '../context.js';
import { formatBytes } from '../format-bytes.js';
import { sanitizeForTerminal } from '../output.js';
import { parseSize } from '../sizes.js';
import { selectSnapshots } from '../snapshot-ref.js';
import { parseTimeBound } from '../time-bound.js';

export interface FindFlags {
  newer?: string;
  older?: string;
  minSize?: string;
  maxSize?: string;
  snapshot?: string[];
  allowUnverified?: boolean;
}

/** Finds entries by path glob, time and size across snapshots, from trees alone (no data pack is read). */
export async function run(ctx: Context, patterns: string[], flags: FindFlags): Promise<number> {
  const criteria = findCriteria(patterns, flags);
  const repository = await ctx.open();
  await repository.loadIndex(ctx.signal);
  const { snapshots: records, issues } = await repository.listSnapshots(ctx.signal);
  for (const issue of issues) ctx.warn({ code: 'SNAPSHOT_UNREADABLE', message: `${issue.object}: ${issue.message}` });
  const selected = selectSnapshots(records, flags.snapshot ?? [], flags.allowUnverified === true);
  const finder = new Finder(repository, criteria);
  let total = 0;
  let withMatches = 0;
  for (const record of selected) {
    const matches = await finder.find(record.snapshot.tree, ctx.signal);
    total += matches.length;
    if (matches.length > 0) withMatches += 1;
    const time = formatTimeNs(record.snapshot.time);
    if (ctx.json) {
      for (const { path, node } of matches) ctx.outJson({ type: 'match', snapshot: record.id, snapshotTime: time, path: displayPath(snapshotPath(path)), ...nodeJson(node) });
    } else if (matches.length > 0) {
      ctx.out(`snapshot ${record.id.slice(0, 8)} of ${shortTime(time)} on ${sanitizeForTerminal(record.snapshot.hostname)}:`);
      for (const { path, node } of matches) {
        const size = node.type === 'file' ? formatBytes(node.size ?? 0) : '';
        ctx.out(`  ${node.type.padEnd(8)} ${size.padStart(10)}  ${shortTime(formatTimeNs(node.mtime))}  ${displayPath(snapshotPath(path))}`);
      }
    }
  }
  if (ctx.json) ctx.outJson({ type: 'summary', snapshots: selected.length, snapshotsWithMatches: withMatches, matches: total });
  else ctx.out(`${total} match(es) in ${withMatches} of ${selected.length} snapshot(s)`);
  return 0;
}

function findCriteria(patterns: readonly string[], flags: FindFlags): FindCriteria {
  const now = Date.now();
  const criteria = {
    newerThan: flags.newer === undefined ? undefined : parseTimeBound(flags.newer, '--newer', now),
    olderThan: flags.older === undefined ? undefined : parseTimeBound(flags.older, '--older', now),
    minSize: flags.minSize === undefined ? undefined : parseSize(flags.minSize, '--min-size'),
    maxSize: flags.maxSize === undefined ? undefined : parseSize(flags.maxSize, '--max-size'),
  };
  if (criteria.minSize !== undefined && criteria.maxSize !== undefined && criteria.minSize > criteria.maxSize) {
    throw new UsageError('find: --min-size is larger than --max-size');
  }
  if (patterns.length === 0) return criteria;
  const globs = new Excluder(patterns, 'find pattern');
  return { ...criteria, paths: { matches: (path, isDirectory) => globs.excludes(path, isDirectory) } };
}

function nodeJson(node: TreeNode) {
  return {
    nodeType: node.type, size: node.size ?? null, mtime: formatTimeNs(node.mtime), mode: node.mode, uid: node.uid, gid: node.gid,
    target: node.target ? displayPath(node.target) : null,
  };
}

/** `2026-11-22 10:24:38`: whole seconds, for people. */
function shortTime(rfc3339: string): string {
  return rfc3339.slice(0, 19).replace('T', ' ');
}
