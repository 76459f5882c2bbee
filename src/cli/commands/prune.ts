import { UsageError } from '../../errors.js';
import { MIN_GC_WINDOW_MS } from '../../format/index.js';
import { DEFAULT_WINDOW_MS, prune, type PruneResult } from '../../pruner/index.js';
import type { Context } from '../context.js';
import { formatBytes, formatDuration } from '../format-bytes.js';
import { testGcWindowMs } from '../gc-window.js';
import { parseFraction } from '../sizes.js';

export interface PruneFlags {
  dryRun?: boolean;
  maxUnused?: string;
  window?: string;
  wait?: boolean;
  allowUnverified?: boolean;
  force?: boolean;
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `2h`, `90m`, `1h30m`, `45s`, `500ms`. */
export function parseDuration(text: string, flag: string): number {
  const parts = [...text.trim().matchAll(/(\d+)(ms|s|m|h|d)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text.trim()) {
    throw new UsageError(`${flag}: "${text}" is not a duration (for example 2h, 90m, 1h30m)`);
  }
  return parts.reduce((sum, p) => sum + Number(p[1]) * UNIT_MS[p[2]!]!, 0);
}

export async function run(ctx: Context, flags: PruneFlags): Promise<number> {
  const minWindowMs = testGcWindowMs(ctx.env) ?? MIN_GC_WINDOW_MS;
  const windowMs = flags.window !== undefined ? parseDuration(flags.window, '--window') : Math.max(DEFAULT_WINDOW_MS, minWindowMs);
  if (windowMs < minWindowMs) {
    throw new UsageError(`--window: ${formatDuration(windowMs)} is shorter than the minimum of ${formatDuration(minWindowMs)}, which backups rely on`);
  }
  const maxUnused = flags.maxUnused !== undefined ? parseMaxUnused(flags.maxUnused) : undefined;
  const repository = await ctx.open();
  const progress = ctx.progress();
  const result = await prune(repository, {
    dryRun: flags.dryRun === true, maxUnused, windowMs, minWindowMs, wait: flags.wait === true,
    allowUnverified: flags.allowUnverified === true, force: flags.force === true,
    signal: ctx.signal,
    onWarning: (w) => ctx.warn(w),
    onProgress: (p) => {
      if (p.phase === 'wait') ctx.info(`waiting ${formatDuration(p.total ?? 0)} for the safety window to pass`);
      else progress.update({ phase: p.phase, files: p.done, bytes: 0, totalFiles: p.total });
    },
  });
  progress.done();
  if (ctx.json) ctx.outJson({ type: 'summary', ...result });
  else for (const line of describeResult(result)) ctx.out(line);
  return 0;
}

/** `--max-unused 10%`: 0% repacks every pack with any unused space. */
function parseMaxUnused(text: string): number {
  if (/^0+(\.0+)?%?$/.test(text.trim())) return 0;
  return parseFraction(text, '--max-unused');
}

function describeResult(r: PruneResult): string[] {
  const would = r.dryRun ? 'would ' : '';
  const lines: string[] = [];
  if (r.dryRun) lines.push('dry run: nothing was written or deleted (windows judged by this machine\'s clock)');
  lines.push(`${r.snapshots} snapshot(s) reference ${r.referencedBlobs} blob(s); ${r.packs} pack(s), ${formatBytes(r.bytes)} in storage`);
  const s = r.sweep;
  if (s.plans > 0 || s.packsDeleted > 0) {
    lines.push(`${would}delete ${s.packsDeleted} pack(s), freeing ${formatBytes(s.bytesFreed)} (${s.plans} plan(s) swept`
      + `${s.packsKept ? `, ${s.packsKept} candidate(s) kept: used again or protected by a running backup` : ''})`);
  }
  if (s.removalsRefused > 0) lines.push(`storage refused ${s.removalsRefused} deletion(s) (object lock?); a later prune tries again`);
  if (r.packsEndorsed > 0) lines.push(`verified and endorsed ${r.packsEndorsed} pack(s) holding data stored twice`);
  if (r.repack.packs > 0) {
    lines.push(r.dryRun ? `would repack ${r.repack.packs} pack(s)`
      : `repacked ${r.repack.packs} pack(s): ${r.repack.blobsCopied} blob(s) copied into ${r.repack.packsWritten} new pack(s) (${formatBytes(r.repack.bytesWritten)})`);
  }
  if (r.plan) {
    lines.push(`${would}plan ${r.plan.packs} pack(s), ${formatBytes(r.plan.bytes)}, for deletion after ${formatDuration(r.plan.windowMs)}`
      + (r.plan.readyAt ? ` (from ${r.plan.readyAt}): run prune again then, or use --wait` : ''));
  }
  if (!r.plan && s.packsDeleted === 0 && r.repack.packs === 0) lines.push('nothing to collect');
  return lines;
}
