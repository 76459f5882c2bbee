/**
 * Where the repository passphrase comes from, in this order: --password-file,
 * --password-command, COFFER_PASSWORD_FILE, COFFER_PASSWORD_COMMAND,
 * COFFER_PASSWORD (least safe: other local users may read a process's
 * environment), the config profile's password_file / password_command, and
 * last a no-echo prompt when stdin is a terminal.
 *
 * The passphrase never appears in a message, a log line or on the terminal:
 * errors name the file, the exit code or the command's stderr, never content.
 */
import { spawn } from 'node:child_process';
import { readFile as fsReadFile } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import { AbortedError, UsageError, describe } from '../errors.js';
import { sanitizeForTerminal, type TextSink } from './output.js';

/** The part of a terminal input stream (process.stdin) the prompt needs. */
export interface PromptInput {
  readonly isTTY?: boolean;
  readonly isRaw?: boolean;
  setRawMode?(mode: boolean): unknown;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  off(event: string, listener: (...args: unknown[]) => void): unknown;
  resume(): unknown;
  pause(): unknown;
  /** Readable's flag: true while flowing; null or false otherwise. */
  readonly readableFlowing?: boolean | null;
}

export interface CommandResult {
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly stdout: Uint8Array;
  readonly stderr: Uint8Array;
}

/** Runs `command` through `/bin/sh -c`; see runShellCommand. */
export type CommandRunner = (
  command: string,
  options: { readonly env: NodeJS.ProcessEnv; readonly signal?: AbortSignal },
) => Promise<CommandResult>;

/** Passphrase sources from a config profile; consulted after flags and environment. */
export interface ProfilePasswordSources {
  readonly name: string;
  readonly passwordFile?: string;
  readonly passwordCommand?: string;
}

/** How passphrase files are read; fs.readFile by default. */
export type ReadBytes = (path: string) => Promise<Uint8Array>;

/** The flags and variables a repository's passphrase sources go by; `copy` reads its source's under other names. */
export interface PasswordSourceNames {
  readonly fileFlag: string;
  readonly commandFlag: string;
  readonly fileEnv: string;
  readonly commandEnv: string;
  readonly valueEnv: string;
}

export const REPOSITORY_PASSWORD: PasswordSourceNames = {
  fileFlag: '--password-file', commandFlag: '--password-command',
  fileEnv: 'COFFER_PASSWORD_FILE', commandEnv: 'COFFER_PASSWORD_COMMAND', valueEnv: 'COFFER_PASSWORD',
};

export interface ReadPasswordOptions {
  /** Names of the sources below, for messages and the environment; {@link REPOSITORY_PASSWORD} by default. */
  readonly names?: PasswordSourceNames;
  /** --password-file */
  readonly passwordFile?: string;
  /** --password-command */
  readonly passwordCommand?: string;
  readonly profile?: ProfilePasswordSources;
  readonly env: NodeJS.ProcessEnv;
  readonly prompt?: string;
  /** When prompting, ask twice and require the same answer (for a passphrase being set). */
  readonly confirm?: boolean;
  readonly stdin: PromptInput;
  /** Where prompts go; stdout stays clean for JSON. */
  readonly stderr: TextSink;
  readonly readFile?: ReadBytes;
  readonly runCommand?: CommandRunner;
  readonly signal?: AbortSignal;
}

export interface ReadNewPasswordOptions {
  /** --new-password-file */
  readonly newPasswordFile?: string;
  readonly env: NodeJS.ProcessEnv;
  readonly prompt?: string;
  readonly stdin: PromptInput;
  readonly stderr: TextSink;
  readonly readFile?: ReadBytes;
  readonly signal?: AbortSignal;
}

type Source =
  | { readonly kind: 'file'; readonly path: string; readonly origin: string }
  | { readonly kind: 'command'; readonly command: string; readonly origin: string }
  | { readonly kind: 'value'; readonly value: string };

/** A command printing more than this is not printing a passphrase. */
const MAX_COMMAND_OUTPUT = 64 * 1024;
const MAX_STDERR_IN_MESSAGE = 500;

/** The repository passphrase from the first source that is set (see the module comment). */
export async function readPassword(options: ReadPasswordOptions): Promise<string> {
  const source = passwordSource(options);
  if (source !== undefined) return readSource(source, options);
  if (options.stdin.isTTY !== true) {
    const names = options.names ?? REPOSITORY_PASSWORD;
    throw new UsageError(`no passphrase: use ${names.fileFlag}, ${names.commandFlag} or a terminal`);
  }
  const prompt = options.prompt ?? 'enter passphrase for repository: ';
  return options.confirm === true
    ? promptTwice(options, prompt, 'repeat passphrase: ')
    : promptNonEmpty(options, prompt);
}

/** A passphrase being set: --new-password-file, COFFER_NEW_PASSWORD_FILE, else a prompt asked twice. */
export async function readNewPassword(options: ReadNewPasswordOptions): Promise<string> {
  const fromEnv = nonEmpty(options.env['COFFER_NEW_PASSWORD_FILE']);
  if (options.newPasswordFile !== undefined) {
    return readSource({ kind: 'file', path: options.newPasswordFile, origin: '--new-password-file' }, options);
  }
  if (fromEnv !== undefined) {
    return readSource({ kind: 'file', path: fromEnv, origin: 'COFFER_NEW_PASSWORD_FILE' }, options);
  }
  if (options.stdin.isTTY !== true) {
    throw new UsageError('no new passphrase: use --new-password-file or a terminal');
  }
  return promptTwice(options, options.prompt ?? 'enter new passphrase: ', 'repeat new passphrase: ');
}

function passwordSource(options: PasswordSourceOptions): Source | undefined {
  const { env, profile } = options;
  const names = options.names ?? REPOSITORY_PASSWORD;
  if (options.passwordFile !== undefined) {
    return { kind: 'file', path: options.passwordFile, origin: names.fileFlag };
  }
  if (options.passwordCommand !== undefined) {
    return { kind: 'command', command: options.passwordCommand, origin: names.commandFlag };
  }
  const envFile = nonEmpty(env[names.fileEnv]);
  if (envFile !== undefined) return { kind: 'file', path: envFile, origin: names.fileEnv };
  const envCommand = nonEmpty(env[names.commandEnv]);
  if (envCommand !== undefined) return { kind: 'command', command: envCommand, origin: names.commandEnv };
  const envValue = nonEmpty(env[names.valueEnv]);
  if (envValue !== undefined) return { kind: 'value', value: envValue };
  if (profile?.passwordFile !== undefined) {
    return { kind: 'file', path: profile.passwordFile, origin: `profile "${profile.name}"` };
  }
  if (profile?.passwordCommand !== undefined) {
    return { kind: 'command', command: profile.passwordCommand, origin: `profile "${profile.name}"` };
  }
  return undefined;
}

async function readSource(
  source: Source,
  options: { env: NodeJS.ProcessEnv; readFile?: ReadBytes; runCommand?: CommandRunner; signal?: AbortSignal },
): Promise<string> {
  if (source.kind === 'value') return source.value;
  if (source.kind === 'file') {
    const { path, origin } = source;
    let bytes: Uint8Array;
    try {
      bytes = await (options.readFile ?? fsReadFile)(path);
    } catch (error) {
      throw new UsageError(`cannot read password file ${path} (${origin}): ${describe(error)}`, { cause: error });
    }
    const passphrase = stripNewline(decodeUtf8(bytes, `password file ${path} (${origin})`));
    if (passphrase === '') throw new UsageError(`password file ${path} (${origin}) is empty`);
    return passphrase;
  }
  const what = `password command (${source.origin})`;
  let result: CommandResult;
  try {
    result = await (options.runCommand ?? runShellCommand)(source.command, {
      env: options.env,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
  } catch (error) {
    if (options.signal?.aborted === true) throw new AbortedError(undefined, { cause: error });
    throw new UsageError(`cannot run ${what}: ${describe(error)}`, { cause: error });
  }
  if (result.exitCode !== 0) {
    const status = result.signal === null ? `exited with code ${result.exitCode}` : `was killed by ${result.signal}`;
    const stderr = summarizeStderr(result.stderr);
    throw new UsageError(`${what} ${status}${stderr === '' ? '' : `: ${stderr}`}`);
  }
  const passphrase = stripNewline(decodeUtf8(result.stdout, `output of ${what}`));
  if (passphrase === '') throw new UsageError(`${what} printed an empty passphrase`);
  return passphrase;
}

/**
 * Runs `command` with `/bin/sh -c`, capturing stdout and stderr. stdin is
 * inherited so helpers that ask on the terminal still can. Output beyond 64 KiB
 * kills the command.
 */
export const runShellCommand: CommandRunner = (command, { env, signal }) =>
  new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', command], {
      env,
      stdio: ['inherit', 'pipe', 'pipe'],
      ...(signal === undefined ? {} : { signal }),
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let size = 0;
    let failed = false;
    const collect = (into: Buffer[]) => (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_COMMAND_OUTPUT) {
        if (!failed) reject(new Error(`command printed more than ${MAX_COMMAND_OUTPUT} bytes`));
        failed = true;
        child.kill();
        return;
      }
      into.push(chunk);
    };
    child.stdout.on('data', collect(out));
    child.stderr.on('data', collect(err));
    child.on('error', (error) => {
      failed = true;
      reject(error);
    });
    child.on('close', (exitCode, exitSignal) => {
      if (!failed) resolve({ exitCode, signal: exitSignal, stdout: Buffer.concat(out), stderr: Buffer.concat(err) });
    });
  });

/**
 * Reads one line from a terminal without echoing it. Raw mode lets us see
 * each key: Enter (or Ctrl-D) ends the line, Backspace deletes, Ctrl-U clears,
 * Ctrl-C rejects with AbortedError (raw mode turns off the terminal's SIGINT),
 * escape sequences (arrow keys) are skipped. The terminal mode, listeners and
 * paused state are restored however the prompt ends.
 */
export function promptPassphrase(
  input: PromptInput,
  output: TextSink,
  prompt: string,
  signal?: AbortSignal,
): Promise<string> {
  if (signal?.aborted === true) return Promise.reject(new AbortedError());
  return new Promise((resolve, reject) => {
    const wasRaw = input.isRaw === true;
    // A fresh process.stdin has readableFlowing null (and isPaused() false), yet
    // must be paused again afterwards or it keeps the process alive.
    const wasFlowing = input.readableFlowing === true;
    const decoder = new StringDecoder('utf8');
    const chars: string[] = [];
    let escape: 'none' | 'esc' | 'csi' | 'ss3' = 'none';
    let finished = false;

    const finish = (error?: Error): void => {
      if (finished) return;
      finished = true;
      input.off('data', onData);
      input.off('end', onEnd);
      input.off('error', onError);
      signal?.removeEventListener('abort', onAbort);
      try {
        input.setRawMode?.(wasRaw);
      } finally {
        if (!wasFlowing) input.pause();
        output.write('\n');
        if (error === undefined) resolve(chars.join(''));
        else reject(error);
        chars.length = 0;
      }
    };
    const onData = (chunk: unknown): void => {
      const text = typeof chunk === 'string' ? chunk : decoder.write(chunk as Buffer);
      for (const ch of text) {
        if (escape === 'esc') {
          escape = ch === '[' ? 'csi' : ch === 'O' ? 'ss3' : 'none';
          continue;
        }
        if (escape === 'ss3' || (escape === 'csi' && ch >= '@' && ch <= '~')) {
          escape = 'none';
          continue;
        }
        if (escape === 'csi') continue;
        if (ch === '\r' || ch === '\n' || ch === '\x04') return finish();
        if (ch === '\x03') return finish(new AbortedError('passphrase prompt interrupted'));
        if (ch === '\x7f' || ch === '\b') chars.pop();
        else if (ch === '\x15') chars.length = 0;
        else if (ch === '\x1b') escape = 'esc';
        else if (ch >= ' ') chars.push(ch);
      }
    };
    const onEnd = (): void => finish(new UsageError('terminal closed before the passphrase was entered'));
    const onError = (error: unknown): void => finish(new UsageError(`cannot read the terminal: ${describe(error)}`));
    const onAbort = (): void => finish(new AbortedError());

    try {
      input.setRawMode?.(true);
    } catch (error) {
      reject(new UsageError(`cannot switch the terminal to raw mode: ${describe(error)}`, { cause: error }));
      return;
    }
    input.on('data', onData);
    input.on('end', onEnd);
    input.on('error', onError);
    signal?.addEventListener('abort', onAbort, { once: true });
    output.write(prompt);
    input.resume();
  });
}

async function promptNonEmpty(
  options: { stdin: PromptInput; stderr: TextSink; signal?: AbortSignal },
  prompt: string,
): Promise<string> {
  const passphrase = await promptPassphrase(options.stdin, options.stderr, prompt, options.signal);
  if (passphrase === '') throw new UsageError('empty passphrase');
  return passphrase;
}

async function promptTwice(
  options: { stdin: PromptInput; stderr: TextSink; signal?: AbortSignal },
  prompt: string,
  repeat: string,
): Promise<string> {
  const first = await promptNonEmpty(options, prompt);
  const second = await promptPassphrase(options.stdin, options.stderr, repeat, options.signal);
  if (first !== second) throw new UsageError('passphrases do not match');
  return first;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/** Strips exactly one trailing `\n` or `\r\n`: other whitespace may be part of the passphrase. */
export function stripNewline(text: string): string {
  if (text.endsWith('\r\n')) return text.slice(0, -2);
  if (text.endsWith('\n')) return text.slice(0, -1);
  return text;
}

/** Invalid UTF-8 is refused rather than replaced, so two different byte strings never become one passphrase. */
function decodeUtf8(bytes: Uint8Array, what: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new UsageError(`${what} is not valid UTF-8`);
  }
}

/** The command's stderr on one line, shortened, without control characters. */
function summarizeStderr(bytes: Uint8Array): string {
  const lines = new TextDecoder().decode(bytes).split(/\r?\n/).map((l) => l.trim());
  const line = sanitizeForTerminal(lines.filter((l) => l !== '').join('; '));
  return line.length > MAX_STDERR_IN_MESSAGE ? `${line.slice(0, MAX_STDERR_IN_MESSAGE)}…` : line;
}

/** Whether a passphrase source other than the prompt is set (flags, environment or profile). */
export function hasPasswordSource(options: PasswordSourceOptions): boolean {
  return passwordSource(options) !== undefined;
}

type PasswordSourceOptions = Pick<ReadPasswordOptions, 'passwordFile' | 'passwordCommand' | 'profile' | 'env' | 'names'>;
