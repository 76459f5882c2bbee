/**
 * Helpers for the end-to-end tests: they run the real CLI (`bin/coffer.js`)
 * as a child process against a repository in a temporary directory, with a
 * passphrase file, a per-test cache directory and a clean environment (no
 * terminal, no inherited COFFER_* variables, HOME and XDG_CACHE_HOME inside
 * the test's directory), and capture stdout, stderr and the exit code.
 *
 * ```ts
 * await withTempDir(async (dir) => {
 *   const coffer = await Coffer.init(dir, { smallChunks: true });
 *   const summary = await coffer.backup([source]);
 *   const result = await coffer.run(['snapshots', '--json']);
 * });
 * ```
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createCipheriv, createHash } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LocalBackend } from '../backend/local.js';
import { idOfName, openRepository, packName } from '../repository/index.js';
import { displayPath } from '../source/index.js';
import type { TreeDescription } from '../source/testing.js';
import { fileContent, snapshotPath, walkTree } from '../walker/index.js';

/** The launcher, found from dist/e2e/. */
export const COFFER_BIN = fileURLToPath(new URL('../../bin/coffer.js', import.meta.url));

/** Init flags for small packs and chunks: many packs and blobs from a few MiB of data. */
export const SMALL_CHUNKS: readonly string[] = ['--pack-size', '1M', '--chunk-min', '64K', '--chunk-avg', '128K', '--chunk-max', '512K'];

/** The cheapest scrypt cost `init` and `key add` accept; the default is slow on purpose. */
export const CHEAP_SCRYPT: readonly string[] = ['--scrypt-n', '16384'];

/** How long one CLI run may take before it is killed and the test fails. */
const DEFAULT_TIMEOUT_MS = 120_000;

export interface RunResult {
  /** Exit code, or null when the process was killed by a signal. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** The command line, for assertion messages. */
  readonly command: string;
}

export interface RunOptions {
  /** Passphrase file to use instead of the repository's own. */
  readonly passwordFile?: string;
  /** Cache directory instead of the default one of this Coffer; null passes no --cache-dir. */
  readonly cacheDir?: string | null;
  /** Repository location instead of this Coffer's (COFFER_REPOSITORY). */
  readonly repo?: string;
  /** Extra environment variables (added to the clean environment). */
  readonly env?: Readonly<Record<string, string>>;
  readonly timeoutMs?: number;
  /** `spawn` only: give the child a stdin pipe to write to (default: none). */
  readonly stdin?: 'pipe';
}

/** The JSON summary line `backup --json` ends with. */
export interface BackupSummary {
  readonly type: 'summary';
  readonly snapshot: string;
  readonly incomplete: boolean;
  readonly filesNew: number;
  readonly filesChanged: number;
  readonly filesUnchanged: number;
  readonly dirs: number;
  readonly bytesRead: number;
  readonly bytesAdded: number;
  readonly packsAdded: number;
  readonly warnings: number;
  readonly durationMs: number;
  readonly recoveredPacks: number;
}

export interface InitOptions {
  /** The passphrase; a fixed test passphrase by default. */
  readonly password?: string;
  /** Use {@link SMALL_CHUNKS}. */
  readonly smallChunks?: boolean;
  /** More init flags. */
  readonly initArgs?: readonly string[];
}

/** A repository in a test directory and the means to run the CLI on it. */
export class Coffer {
  private constructor(
    /** The test's directory; repository, cache and passphrase live below it. */
    readonly base: string,
    readonly repo: string,
    readonly cacheDir: string,
    readonly passwordFile: string,
    readonly password: string,
    /** The repository id `init --json` printed. */
    readonly repositoryId: string,
  ) {}

  /** Creates a repository at `<base>/repo` with a cheap KDF. */
  static async init(base: string, options: InitOptions = {}): Promise<Coffer> {
    const password = options.password ?? 'e2e passphrase: tr0ub4dor&3';
    const passwordFile = join(base, 'passphrase');
    await writeFile(passwordFile, password, { mode: 0o600 });
    await mkdir(join(base, 'home'), { recursive: true });
    const coffer = new Coffer(base, join(base, 'repo'), join(base, 'cache'), passwordFile, password, '');
    const args = ['init', '--json', ...CHEAP_SCRYPT, ...(options.smallChunks ? SMALL_CHUNKS : []), ...(options.initArgs ?? [])];
    const result = await coffer.ok(args);
    const [line] = jsonLines(result.stdout) as [{ type: string; repository: string }];
    assert.equal(line.type, 'init');
    return new Coffer(base, coffer.repo, coffer.cacheDir, passwordFile, password, line.repository);
  }

  /** The child's environment: nothing inherited but PATH. */
  env(options: RunOptions = {}): NodeJS.ProcessEnv {
    return {
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      HOME: join(this.base, 'home'),
      XDG_CACHE_HOME: join(this.base, 'home', '.cache'),
      LC_ALL: 'C.UTF-8',
      COFFER_REPOSITORY: options.repo ?? this.repo,
      COFFER_PASSWORD_FILE: options.passwordFile ?? this.passwordFile,
      ...options.env,
    };
  }

  private argv(args: readonly string[], options: RunOptions): string[] {
    const cacheDir = options.cacheDir === undefined ? this.cacheDir : options.cacheDir;
    return [COFFER_BIN, ...(cacheDir === null ? [] : ['--cache-dir', cacheDir]), ...args];
  }

  /** Starts the CLI without waiting (for the crash tests). stdin is /dev/null unless `options.stdin`, so there is no terminal. */
  spawn(args: readonly string[], options: RunOptions = {}): ChildProcess {
    return spawn(process.execPath, this.argv(args, options), { env: this.env(options), stdio: [options.stdin ?? 'ignore', 'pipe', 'pipe'] });
  }

  /** Runs the CLI to its end. */
  run(args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    return runCli(this.argv(args, options), this.env(options), options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  }

  /** Runs the CLI and asserts exit code 0. */
  async ok(args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    const result = await this.run(args, options);
    assert.equal(result.code, 0, describeRun(result));
    return result;
  }

  /** `backup --json PATHS`, asserting exit 0, and returns the summary line. */
  async backup(paths: readonly string[], options: RunOptions & { args?: readonly string[] } = {}): Promise<BackupSummary> {
    const result = await this.ok(['backup', '--json', ...(options.args ?? []), ...paths], options);
    return backupSummary(result);
  }

  /** `check` (optionally `--read-data`), asserting exit 0. */
  async check(readData = false, options: RunOptions = {}): Promise<RunResult> {
    return this.ok(['check', ...(readData ? ['--read-data'] : [])], options);
  }
}

/** Spawns `node argv` and collects its output; kills it after `timeoutMs`. */
export function runCli(argv: readonly string[], env: NodeJS.ProcessEnv, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<RunResult> {
  const command = `coffer ${argv.slice(1).join(' ')}`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, argv, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        code, signal, command,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
  });
}

/** A run's command, exit status and output, for assertion messages. */
export function describeRun(result: RunResult): string {
  const clip = (text: string) => (text.length > 4000 ? `${text.slice(0, 4000)}…` : text);
  return `${result.command}\nexit ${result.code ?? result.signal}\n--- stdout\n${clip(result.stdout)}\n--- stderr\n${clip(result.stderr)}`;
}

/** Parses JSON lines output; every non-empty line must be JSON. */
export function jsonLines(text: string): unknown[] {
  return text.split('\n').filter((line) => line.trim() !== '').map((line) => {
    try {
      return JSON.parse(line) as unknown;
    } catch {
      throw new Error(`not a JSON line: ${JSON.stringify(line)}`);
    }
  });
}

/** The summary line of a `backup --json` run (its last stdout line). */
export function backupSummary(result: RunResult): BackupSummary {
  const lines = jsonLines(result.stdout) as { type?: string }[];
  const last = lines[lines.length - 1];
  assert.equal(last?.type, 'summary', `the last line of backup --json is its summary\n${describeRun(result)}`);
  return last as BackupSummary;
}

/** True if the text holds a JavaScript stack trace. */
export function hasStackTrace(text: string): boolean {
  return /^\s+at\s/m.test(text) || /\.js:\d+:\d+/.test(text);
}

/**
 * Deterministic incompressible bytes: AES-256-CTR keystream keyed by
 * `seed`. Fast (about 1 GB/s), and the same seed gives the same bytes, so a
 * failure can be reproduced.
 */
export function pseudoRandomBytes(seed: string, length: number): Buffer {
  const key = createHash('sha256').update(seed).digest();
  const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  return Buffer.concat([cipher.update(Buffer.alloc(length)), cipher.final()]);
}

/** Every regular file below `dir`, recursively (absolute paths). */
export async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const visit = async (path: string): Promise<void> => {
    for (const entry of await readdir(path, { withFileTypes: true })) {
      const child = join(path, entry.name);
      if (entry.isDirectory()) await visit(child);
      else if (entry.isFile()) out.push(child);
    }
  };
  await visit(dir);
  return out.sort();
}

/** Object names (`data/ab/<id>`) of the data packs in a repository directory, read straight from the disk. */
export async function dataPackNames(repo: string): Promise<string[]> {
  return packNames(repo, 'data');
}

/** Object names of the packs of one kind, complete objects only (not temporary files). */
export async function packNames(repo: string, kind: 'data' | 'tree'): Promise<string[]> {
  const names: string[] = [];
  let prefixes: string[];
  try {
    prefixes = await readdir(join(repo, kind));
  } catch {
    return [];
  }
  for (const prefix of prefixes) {
    if (!/^[0-9a-f]{2}$/.test(prefix)) continue;
    let files: string[];
    try {
      files = await readdir(join(repo, kind, prefix));
    } catch {
      continue;
    }
    for (const name of files) if (/^[0-9a-f]{64}$/.test(name)) names.push(`${kind}/${prefix}/${name}`);
  }
  return names.sort();
}

/** Object names below one folder of the repository (`index`, `snapshots`, `keys`, `signers`). */
export async function objectNames(repo: string, folder: string): Promise<string[]> {
  try {
    return (await readdir(join(repo, folder))).filter((n) => /^[0-9a-f]{64}$/.test(n)).map((n) => `${folder}/${n}`).sort();
  } catch {
    return [];
  }
}

/** Flips one bit of a file, in the middle unless `offset` is given; returns the offset. */
export async function flipBit(file: string, offset?: number, bit = 0): Promise<number> {
  const bytes = await readFile(file);
  const at = offset ?? Math.floor(bytes.length / 2);
  bytes[at] = (bytes[at] ?? 0) ^ (1 << bit);
  await writeFile(file, bytes);
  return at;
}

/** readTree's description with times cut to whole microseconds (what Node can set on restore). */
export function toMicroseconds(tree: TreeDescription): TreeDescription {
  const out: TreeDescription = {};
  for (const [path, entry] of Object.entries(tree)) {
    out[path] = entry.mtimeNs === undefined ? entry : { ...entry, mtimeNs: (entry.mtimeNs / 1000n) * 1000n };
  }
  return out;
}

/** Where restore puts `sourcePath` (absolute) below `target`: the snapshot mirrors absolute paths. */
export function restoredPath(target: string, sourcePath: string): string {
  return join(target, sourcePath);
}

/**
 * Ground truth for tamper tests, computed in this process from the
 * repository's own index and trees (not through the restorer): for each file
 * of the latest snapshot, by its path as the CLI shows it, the ids of the
 * data packs holding its blobs.
 */
export async function packsOfFiles(coffer: Coffer): Promise<Map<string, Set<string>>> {
  const backend = new LocalBackend(coffer.repo);
  const { repository } = await openRepository(backend, coffer.password);
  await repository.loadIndex();
  const { snapshots } = await repository.listSnapshots();
  const latest = snapshots[snapshots.length - 1];
  assert.ok(latest, 'the repository has a snapshot');
  const out = new Map<string, Set<string>>();
  await walkTree(repository, latest.snapshot.tree, async ({ path, node }) => {
    if (node.type !== 'file') return;
    const packs = new Set<string>();
    for (const id of await fileContent(repository, node)) {
      const location = repository.index.lookup(Buffer.from(id, 'hex'));
      assert.ok(location, `blob ${id.slice(0, 8)} of ${displayPath(snapshotPath(path))} is indexed`);
      packs.add(packName('data', location.packId));
    }
    out.set(displayPath(snapshotPath(path)), packs);
  });
  await backend.close();
  return out;
}

/** The id in an object name such as `data/ab/<id>` or `index/<id>`. */
export function idOf(name: string): string {
  return idOfName(name);
}

/** Waits `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
