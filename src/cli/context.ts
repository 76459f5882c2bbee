/**
 * What every command gets: resolved settings, output streams, the abort
 * signal, and helpers to read the passphrase and open the repository. Only
 * src/cli reads process.env and writes to the terminal.
 */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Backend } from '../backend/backend.js';
import { UsageError, type Warning } from '../errors.js';
import {
  HighWater, openRepository, openRepositoryWithKeyFile, requireReadKey, type KeyUnwrapper, type Repository,
} from '../repository/index.js';
import { openBackend, type BackendFlags } from './backend-location.js';
import { keyUnwrappers, type CredentialFlags } from './key-credentials.js';
import { chooseProgress, type CliProgressSink } from './progress.js';
import { formatWarning, printJson } from './output.js';
import { hasPasswordSource, readPassword } from './password.js';
import { requireRepository, resolveSettings, type Settings, type SettingsFlags } from './profile.js';
import { withTestHooks } from './test-hooks.js';

export interface GlobalFlags extends SettingsFlags, CredentialFlags, BackendFlags {
  readonly json?: boolean;
  readonly quiet?: boolean;
  readonly cache?: boolean;
  readonly keyId?: string;
}

export class Context {
  private progressSink: CliProgressSink | undefined;
  private backendInstance: Backend | undefined;
  private opened: { repository: Repository; keyId: string; highWater: HighWater } | undefined;

  private constructor(
    readonly settings: Settings,
    readonly flags: GlobalFlags,
    readonly signal: AbortSignal,
    readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  static async create(flags: GlobalFlags, signal: AbortSignal): Promise<Context> {
    const settings = await resolveSettings({ flags, env: process.env, readFile: (p) => readFile(p, 'utf8') });
    return new Context(settings, flags, signal);
  }

  get json(): boolean {
    return this.flags.json === true;
  }

  get backend(): Backend {
    this.backendInstance ??= withTestHooks(openBackend(requireRepository(this.settings), {
      flags: this.flags, env: this.env, onRetry: (message) => this.info(message),
      // Testing only (COFFER_FAULTS): always on stderr, so tests can see what was injected.
      onFault: (message) => process.stderr.write(`${message}\n`),
    }), this.env);
    return this.backendInstance;
  }

  async passphrase(options: { confirm?: boolean; prompt?: string } = {}): Promise<string> {
    return readPassword({
      ...this.settings.password, env: this.env, stdin: process.stdin, stderr: process.stderr, signal: this.signal, ...options,
    });
  }

  async open(): Promise<Repository> {
    return (await this.unlock()).repository;
  }

  /** Opens the repository for a command that reads it: a write-only key fails at once with a PermissionError. */
  async openReader(command: string): Promise<Repository> {
    const repository = await this.open();
    requireReadKey(repository.keyring, command);
    return repository;
  }

  /**
   * Opens the repository with the key file given by --key-file
   * (COFFER_KEY_FILE, a profile's key_file), or else with the key file in
   * `keys/` that the passphrase opens.
   */
  async unlock(): Promise<{ repository: Repository; keyId: string }> {
    if (this.opened) return this.opened; // one passphrase and one scrypt per command
    const opened = await this.unlockWith(this.settings.keyFile);
    // A signer set older than one this client saw before is reported (storage may hide a revocation).
    const highWater = await HighWater.load(this.cacheDir(opened.repository.repositoryId));
    opened.repository.expectSignerSetVersion(highWater.signerSetVersion);
    this.opened = { ...opened, highWater };
    return opened;
  }

  /** The local high-water marks of the repository opened last (docs/format.md "Local cache"). */
  highWater(): HighWater {
    return this.opened?.highWater ?? HighWater.inMemory();
  }

  private async unlockWith(keyFile: string | undefined): Promise<{ repository: Repository; keyId: string }> {
    if (keyFile === undefined) {
      return openRepository(this.backend, await this.keyUnwrappers(), { keyId: this.flags.keyId, signal: this.signal });
    }
    let bytes: Buffer;
    try {
      bytes = await readFile(keyFile);
    } catch (cause) {
      throw new UsageError(`--key-file ${keyFile}: cannot read it (${(cause as NodeJS.ErrnoException).code ?? 'error'})`, { cause });
    }
    return openRepositoryWithKeyFile(this.backend, { bytes, what: `key file ${keyFile}` }, await this.keyUnwrappers(), { signal: this.signal });
  }

  /** What may open key files: age and OpenPGP identities, gpg, the passphrase (key-credentials.ts). */
  keyUnwrappers(): Promise<KeyUnwrapper[]> {
    return keyUnwrappers({
      flags: this.flags, env: this.env, signal: this.signal, passphrase: () => this.passphrase(),
      hasPassphraseSource: hasPasswordSource({ ...this.settings.password, env: this.env }),
    });
  }

  /** The per-repository cache directory, or null with --no-cache. */
  cacheDir(repositoryId: string): string | null {
    if (this.flags.cache === false) return null;
    const base = this.settings.cacheDir
      ?? (this.env['XDG_CACHE_HOME'] ? join(this.env['XDG_CACHE_HOME'], 'coffer') : join(homedir(), '.cache', 'coffer'));
    return join(base, repositoryId);
  }

  progress(): CliProgressSink {
    this.progressSink ??= chooseProgress({
      isTTY: process.stderr.isTTY === true, json: this.json, quiet: this.flags.quiet === true, stream: process.stderr,
    });
    return this.progressSink;
  }

  out(line: string): void {
    process.stdout.write(`${line}\n`);
  }

  outJson(value: unknown): void {
    printJson(process.stdout, value);
  }

  /** Messages for people go to stderr, so stdout stays parseable. */
  info(line: string): void {
    if (this.flags.quiet || this.json) return;
    this.progressSink?.clear();
    process.stderr.write(`${line}\n`);
  }

  warn(warning: Warning): void {
    this.progressSink?.clear();
    if (this.json) printJson(process.stdout, { type: 'warning', code: warning.code, message: warning.message, path: warning.path });
    else process.stderr.write(`${formatWarning(warning)}\n`);
  }

  async close(): Promise<void> {
    this.progressSink?.done();
    if (this.opened) {
      const { repository, highWater } = this.opened;
      if (repository.signerSetVersion !== undefined) highWater.observeSignerSet(repository.signerSetVersion);
      await highWater.save().catch(() => undefined); // a cache that cannot be written loses only a mark
    }
    await this.backendInstance?.close();
  }
}
