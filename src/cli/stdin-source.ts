/**
 * The stream `backup --stdin` reads: standard input, or the standard output
 * of a command (`--stdin-from-command -- zfs send pool@snap`). A command that
 * exits non-zero, or is killed, fails the backup before any snapshot is
 * written, which plain `--stdin` cannot do: a pipe's end looks the same
 * whether its producer succeeded or not (use `set -o pipefail` and check).
 */
import { spawn } from 'node:child_process';
import { CofferError, UsageError } from '../errors.js';
import { streamPath, type StreamSource } from '../archiver/stream-archiver.js';

export interface StdinFlags {
  stdin?: boolean;
  stdinFilename?: string;
  stdinFromCommand?: boolean;
}

/** Permission bits of a stream's file: owner only, as streams are often database dumps. */
export const STREAM_FILE_MODE = 0o600;

/** The stream to back up, or undefined when the flags ask for a backup of paths. */
export function streamSource(paths: readonly string[], flags: StdinFlags, signal: AbortSignal): StreamSource | undefined {
  if (flags.stdin && flags.stdinFromCommand) throw new UsageError('backup: use --stdin or --stdin-from-command, not both');
  if (!flags.stdin && !flags.stdinFromCommand) {
    if (flags.stdinFilename !== undefined) throw new UsageError('backup: --stdin-filename needs --stdin or --stdin-from-command');
    return undefined;
  }
  const name = flags.stdinFilename ?? 'stdin';
  streamPath(name); // refuse a bad name before opening the repository
  let input: AsyncIterable<Uint8Array>;
  if (flags.stdin) {
    if (paths.length > 0) throw new UsageError('backup --stdin takes no paths (it reads standard input; name the file with --stdin-filename)');
    if (process.stdin.isTTY) throw new UsageError('backup --stdin: standard input is a terminal; pipe the data to back up into coffer');
    input = process.stdin;
  } else {
    if (paths.length === 0) throw new UsageError('backup --stdin-from-command: name the command after "--", e.g. -- zfs send pool@snap');
    input = commandOutput(paths, signal);
  }
  return { input, name, mode: STREAM_FILE_MODE, uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0, mtime: BigInt(Date.now()) * 1_000_000n };
}

/** The standard output of `argv`, ending with an error unless the command exits with status 0. */
async function* commandOutput(argv: readonly string[], signal: AbortSignal): AsyncGenerator<Buffer> {
  const [program, ...args] = argv as [string, ...string[]];
  const child = spawn(program, args, { stdio: ['inherit', 'pipe', 'inherit'], signal });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, sig) => resolve({ code, signal: sig }));
  });
  exited.catch(() => undefined); // observed below; never an unhandled rejection
  try {
    for await (const chunk of child.stdout) yield chunk as Buffer;
    let status: { code: number | null; signal: NodeJS.Signals | null };
    try {
      status = await exited;
    } catch (cause) {
      throw new CofferError('STREAM_FAILED', `--stdin-from-command: cannot run ${program}: ${(cause as Error).message}; no snapshot written`, { cause });
    }
    if (status.code !== 0) {
      const how = status.signal ? `was killed by ${status.signal}` : `exited with status ${status.code}`;
      throw new CofferError('STREAM_FAILED', `--stdin-from-command: ${program} ${how}; no snapshot written`);
    }
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  }
}
