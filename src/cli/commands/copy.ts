import { copySnapshots, type CopyEvent } from '../../copier/copy.js';
import { UsageError } from '../../errors.js';
import { shortId } from '../../format/index.js';
import { openRepository } from '../../repository/index.js';
import { openBackend } from '../backend-location.js';
import type { Context } from '../context.js';
import { formatBytes } from '../format-bytes.js';
import { testGcWindowMs } from '../gc-window.js';
import { readPassword, type PasswordSourceNames } from '../password.js';
import { pauseGate } from '../pause-gate.js';
import { selectSnapshots } from '../snapshot-selection.js';
import { PROGRAM } from '../version.js';

export interface CopyFlags {
  fromRepo?: string;
  fromPasswordFile?: string;
  fromPasswordCommand?: string;
  fromKeyId?: string;
  pauseFile?: string;
}

/** Where the source repository's passphrase comes from (after the flags): the target's sources under FROM names. */
const SOURCE_PASSWORD: PasswordSourceNames = {
  fileFlag: '--from-password-file', commandFlag: '--from-password-command',
  fileEnv: 'COFFER_FROM_PASSWORD_FILE', commandEnv: 'COFFER_FROM_PASSWORD_COMMAND', valueEnv: 'COFFER_FROM_PASSWORD',
};

/** `copy --from-repo A [SNAPSHOT...]`: copies verified snapshots from A into the repository (--repo). */
export async function run(ctx: Context, refs: string[], flags: CopyFlags): Promise<number> {
  const from = flags.fromRepo ?? nonEmpty(ctx.env['COFFER_FROM_REPOSITORY']);
  if (from === undefined) throw new UsageError('copy: name the source repository with --from-repo (or COFFER_FROM_REPOSITORY)');
  const target = await ctx.open();
  const sourceBackend = openBackend(from);
  try {
    const passphrase = await readPassword({
      names: SOURCE_PASSWORD, passwordFile: flags.fromPasswordFile, passwordCommand: flags.fromPasswordCommand,
      env: ctx.env, prompt: 'enter passphrase for the source repository: ',
      stdin: process.stdin, stderr: process.stderr, signal: ctx.signal,
    });
    const { repository: source } = await openRepository(sourceBackend, passphrase, { keyId: flags.fromKeyId, signal: ctx.signal });
    for (const [which, repository] of [['source', source], ['target', target]] as const) {
      for (const issue of await repository.loadIndex(ctx.signal)) {
        ctx.warn({ code: 'INDEX_UNREADABLE', message: `${which}: ${issue.object}: ${issue.message}` });
      }
    }
    const selected = await selectSnapshots(ctx, source, refs);
    const progress = ctx.progress();
    let last = { files: 0, bytes: 0 };
    const totals = { bytesRead: 0, bytesAdded: 0, packsAdded: 0 };
    const result = await copySnapshots(source, target, {
      snapshots: selected,
      cacheDir: ctx.cacheDir(target.repositoryId),
      program: PROGRAM,
      clock: () => performance.now(),
      pause: pauseGate(ctx, flags.pauseFile, () => progress.update({ phase: 'paused', ...last })),
      onProgress: (p) => {
        last = { files: p.files, bytes: p.bytesRead };
        progress.update({ phase: 'copy', ...last, currentPath: p.currentPath });
      },
      onCopy: (event) => {
        if (event.type === 'copy') {
          totals.bytesRead += event.stats.bytesRead;
          totals.bytesAdded += event.stats.bytesAdded;
          totals.packsAdded += event.stats.packsAdded;
        }
        progress.clear();
        report(ctx, event);
      },
      signal: ctx.signal,
      gcMinWindowMs: testGcWindowMs(ctx.env),
    });
    progress.done();
    if (ctx.json) {
      ctx.outJson({ type: 'summary', ...result, ...totals });
    } else {
      ctx.out(`${result.copied} snapshot(s) copied, ${result.skipped} already there${result.failed ? `, ${result.failed} failed` : ''}; `
        + `read ${formatBytes(totals.bytesRead)} from the source, added ${formatBytes(totals.bytesAdded)} (${totals.packsAdded} packs)`);
      if (result.recoveredPacks > 0) ctx.out(`reused ${result.recoveredPacks} pack(s) uploaded by an interrupted run`);
    }
    return result.failed > 0 ? 1 : 0;
  } finally {
    await sourceBackend.close();
  }
}

function report(ctx: Context, event: CopyEvent): void {
  if (ctx.json) {
    if (event.type === 'fail') ctx.outJson({ type: 'fail', source: event.source, message: event.error.message });
    else ctx.outJson(event.type === 'copy' ? { type: 'copy', source: event.source, target: event.target, ...event.stats } : event);
    return;
  }
  switch (event.type) {
    case 'skip':
      ctx.info(`snapshot ${shortId(event.source)}: already copied as ${shortId(event.target)}`);
      return;
    case 'fail':
      process.stderr.write(`error: snapshot ${shortId(event.source)} not copied: ${event.error.message}\n`);
      return;
    case 'copy': {
      const s = event.stats;
      ctx.out(`snapshot ${shortId(event.source)} copied as ${shortId(event.target)}: ${s.files} files (${s.filesReused} unchanged), `
        + `read ${formatBytes(s.bytesRead)}, added ${formatBytes(s.bytesAdded)}`);
    }
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
