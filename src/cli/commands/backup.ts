import { readFile } from 'node:fs/promises';
import { backup } from '../../archiver/backup.js';
import { UsageError } from '../../errors.js';
import { formatTimeNs } from '../../format/index.js';
import { Excluder, parseExcludeFile } from '../../source/index.js';
import type { Context } from '../context.js';
import { EXIT_SOURCES_UNREADABLE } from '../exit-codes.js';
import { formatBytes, formatDuration } from '../format-bytes.js';
import { testGcWindowMs } from '../gc-window.js';
import { pauseGate } from '../pause-gate.js';
import { NullProgress } from '../progress.js';
import { streamSource, type StdinFlags } from '../stdin-source.js';
import { parseTimeFlag } from '../time-flag.js';
import { PROGRAM } from '../version.js';

export interface BackupFlags {
  oneFileSystem?: boolean;
  tag?: string[];
  host?: string;
  time?: string;
  pauseFile?: string;
}

type Flags = BackupFlags & StdinFlags;

export async function run(ctx: Context, paths: string[], flags: Flags): Promise<number> {
  const stream = streamSource(paths, flags, ctx.signal);
  if (paths.length === 0 && !stream) throw new UsageError('backup: name at least one path to back up');
  // Settings already apply the precedence flags > profile; --exclude-file may be repeated, a profile names one.
  const patterns = [...ctx.settings.exclude];
  const excludeFiles = ctx.settings.excludeFile;
  for (const file of excludeFiles) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (cause) {
      throw new UsageError(`--exclude-file ${file}: cannot read it (${(cause as NodeJS.ErrnoException).code ?? 'error'})`, { cause });
    }
    patterns.push(...parseExcludeFile(text));
  }
  const now = BigInt(Date.now()) * 1_000_000n;
  const time = flags.time === undefined ? now : parseTimeFlag(flags.time, '--time');
  if (time > now) throw new UsageError(`--time: ${formatTimeNs(time)} is in the future; it sets the time of a backup made now or earlier`);
  const repository = await ctx.open();
  const progress = ctx.progress();
  const last = { files: 0, bytes: 0 };
  const result = await backup(repository, {
    paths,
    stream,
    excluder: new Excluder(patterns),
    oneFileSystem: flags.oneFileSystem,
    tags: flags.tag ?? ctx.settings.tags,
    hostname: flags.host ?? ctx.settings.host,
    now: time,
    clock: () => performance.now(),
    cacheDir: ctx.cacheDir(repository.repositoryId),
    highWater: ctx.highWater(),
    program: PROGRAM,
    onWarning: (w) => ctx.warn(w),
    pause: pauseGate(ctx, flags.pauseFile, () => progress.update({ phase: 'paused', ...last })),
    // Without a progress display the counting scan would only cost time.
    onProgress: progress instanceof NullProgress ? undefined : (p) => {
      last.files = p.files;
      last.bytes = p.bytesRead;
      progress.update({
        phase: 'backup', files: p.files, bytes: p.bytesRead, currentPath: p.currentPath,
        // Totals only once fully counted, so the ETA never promises too early an end.
        ...(p.totals?.done ? { totalFiles: p.totals.files, totalBytes: p.totals.bytes } : {}),
      });
    },
    signal: ctx.signal,
    gcMinWindowMs: testGcWindowMs(ctx.env),
  });
  progress.done();
  const s = result.snapshot.summary;
  if (ctx.json) {
    ctx.outJson({ type: 'summary', snapshot: result.snapshotId, time: formatTimeNs(result.snapshot.time), incomplete: result.snapshot.incomplete, ...s, recoveredPacks: result.recoveredPacks });
  } else {
    ctx.out(`snapshot ${result.snapshotId.slice(0, 8)}${flags.time === undefined ? '' : ` (time ${formatTimeNs(time)})`} saved${result.snapshot.incomplete ? ' (incomplete: some sources could not be read)' : ''}`);
    ctx.out(`files: ${s.filesNew} new, ${s.filesChanged} changed, ${s.filesUnchanged} unchanged; ${s.dirs} directories`);
    ctx.out(`read ${formatBytes(s.bytesRead)}, added ${formatBytes(s.bytesAdded)} to the repository (${s.packsAdded} packs) in ${formatDuration(s.durationMs)}`);
    if (result.recoveredPacks > 0) ctx.out(`reused ${result.recoveredPacks} pack(s) uploaded by an interrupted backup`);
  }
  return result.snapshot.incomplete ? EXIT_SOURCES_UNREADABLE : 0;
}
