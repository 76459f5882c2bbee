/**
 * Runs one command and measures it. Wall time is taken around the child;
 * CPU time (user + sys) and peak RSS come from the kernel's rusage of the
 * child as GNU time (`/usr/bin/time`, Debian package `time`) reports it after
 * wait4(): ru_maxrss is the high-water mark of the resident set of the child
 * or of any descendant it waited for, and the CPU times include all threads
 * and waited-for descendants. Node's child_process does not expose rusage,
 * and polling /proc/PID/status VmHWM would miss descendants and short peaks.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const GNU_TIME = '/usr/bin/time';

export interface Command {
  readonly argv: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
  /** Where stdout goes: captured (default), or discarded. */
  readonly stdout?: 'capture' | 'ignore';
}

export interface Measurement {
  readonly wallSeconds: number;
  readonly userSeconds: number;
  readonly sysSeconds: number;
  /** Peak resident set size, bytes. */
  readonly peakRssBytes: number;
}

/** A measured command that failed. */
export class CommandFailed extends Error {
  override readonly name = 'CommandFailed';
}

const TAIL = 8000;

/** Runs `command` under GNU time; throws CommandFailed (with the end of its output) unless it exits 0. */
export async function measure(command: Command): Promise<Measurement & { stdout: string }> {
  if (!existsSync(GNU_TIME)) throw new Error(`${GNU_TIME} is missing: run "bash scripts/system-deps.sh bench" (Debian package time)`);
  const dir = await mkdtemp(join(tmpdir(), 'coffer-bench-time-'));
  const report = join(dir, 'rusage');
  try {
    const started = performance.now();
    const { code, signal, stdout, stderr } = await run(
      [GNU_TIME, '-o', report, '-f', '%U %S %M', '--', ...command.argv], command,
    );
    const wallSeconds = (performance.now() - started) / 1000;
    if (code !== 0) {
      throw new CommandFailed(`${command.argv.join(' ')}: exit ${code ?? signal}\n${tail(stderr)}${tail(stdout)}`);
    }
    const last = (await readFile(report, 'utf8')).trim().split('\n').pop() ?? '';
    const [user, sys, rssKiB] = last.split(' ').map(Number);
    if (user === undefined || sys === undefined || rssKiB === undefined || [user, sys, rssKiB].some(Number.isNaN)) {
      throw new Error(`cannot parse ${GNU_TIME} output: ${JSON.stringify(last)}`);
    }
    return { wallSeconds, userSeconds: user, sysSeconds: sys, peakRssBytes: rssKiB * 1024, stdout };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

interface RunResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command without measuring it (versions, sync); throws unless it exits 0. */
export async function runQuiet(argv: readonly string[], options: Omit<Command, 'argv'> = {}): Promise<string> {
  const result = await run(argv, options);
  if (result.code !== 0) throw new CommandFailed(`${argv.join(' ')}: exit ${result.code ?? result.signal}\n${tail(result.stderr)}`);
  return result.stdout;
}

function run(argv: readonly string[], options: Omit<Command, 'argv'>): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), {
      env: options.env ?? process.env,
      cwd: options.cwd,
      stdio: ['ignore', options.stdout === 'ignore' ? 'ignore' : 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    // Keep only the ends: a chatty tool must not cost the harness memory.
    child.stdout?.on('data', (chunk: Buffer) => { stdout = (stdout + chunk.toString('utf8')).slice(-64 * 1024); });
    child.stderr?.on('data', (chunk: Buffer) => { stderr = (stderr + chunk.toString('utf8')).slice(-64 * 1024); });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

function tail(text: string): string {
  if (text === '') return '';
  return `${text.length > TAIL ? `…${text.slice(-TAIL)}` : text}\n`;
}
