/**
 * What opens key files, and what wraps new ones, from flags and environment.
 *
 * Opening (`--age-identity`, `--gpg-identity`, `--gpg`, passphrase sources):
 * every credential the user gave explicitly is tried, in that order; a
 * passphrase is tried when a passphrase source is set. With none of them,
 * coffer tries the `gpg` program (if installed and the repository has
 * OpenPGP key files) and then asks for a passphrase, as before.
 *
 * Wrapping a new key file (`key add`, `key passwd`, `key import`, `init`):
 * `--age-recipient`, `--gpg-recipient` (through gpg), `--gpg-recipient-file`
 * (through OpenPGP.js), else a new passphrase.
 */
import { readlinkSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { parseAgeIdentities, readOpenPgpIdentity, readOpenPgpRecipients, type OpenPgpIdentity } from '../crypto/index.js';
import { UsageError, describe } from '../errors.js';
import {
  ageUnwrapper, ageWrapper, openpgpIdentityUnwrapper, openpgpKeyWrapper, passphraseUnwrapper, passphraseWrapper,
  type KeyUnwrapper, type KeyWrapper,
} from '../repository/index.js';
import { GpgProgram } from './gpg-program.js';

/** Global flags that name key-file credentials. */
export interface CredentialFlags {
  /** Repeatable. */
  readonly ageIdentity?: readonly string[];
  readonly gpgIdentity?: string;
  readonly gpg?: boolean;
}

/** Flags of the commands that write a key file. */
export interface WrappingFlags {
  readonly ageRecipient?: readonly string[];
  readonly gpgRecipient?: readonly string[];
  readonly gpgRecipientFile?: readonly string[];
  readonly scryptN?: string;
}

export interface CredentialSources {
  readonly flags: CredentialFlags;
  readonly env: NodeJS.ProcessEnv;
  /** Whether a passphrase file, command or variable is set (not counting the prompt). */
  readonly hasPassphraseSource: boolean;
  /** Reads the passphrase (or prompts); called at most once, and only when needed. */
  readonly passphrase: () => Promise<string>;
  readonly signal?: AbortSignal;
}

/** The gpg program coffer runs: COFFER_GPG_PROGRAM, else `gpg` on PATH. */
export function gpgProgram(env: NodeJS.ProcessEnv): GpgProgram {
  let childEnv = env;
  // gpg-agent's terminal pinentry needs to know our terminal; gpg's stdin is a pipe, so tell it.
  if (!env['GPG_TTY'] && process.stdin.isTTY) {
    try {
      childEnv = { ...env, GPG_TTY: readlinkSync('/proc/self/fd/0') };
    } catch {
      // Not Linux, or no /proc: gpg-agent falls back to its own settings.
    }
  }
  return new GpgProgram(env['COFFER_GPG_PROGRAM'] || 'gpg', childEnv);
}

/** The unwrappers to try, in order (see the module comment). */
export async function keyUnwrappers(sources: CredentialSources): Promise<KeyUnwrapper[]> {
  const { flags, env } = sources;
  const out: KeyUnwrapper[] = [];
  const agePaths = flags.ageIdentity?.length ? flags.ageIdentity : nonEmpty(env['COFFER_AGE_IDENTITY']);
  for (const path of agePaths ?? []) {
    out.push(ageUnwrapper(await parseAgeIdentities(await readCredential(path, 'age identity'), path), path));
  }
  const gpgIdentity = flags.gpgIdentity ?? nonEmpty(env['COFFER_GPG_IDENTITY'])?.[0];
  if (gpgIdentity !== undefined) out.push(lazyOpenPgpIdentity(gpgIdentity, sources.passphrase));
  const explicit = out.length > 0 || flags.gpg === true;
  // gpg unasked only when nothing else was given: a passphrase source set for scripts never starts it.
  if (flags.gpg === true || (!explicit && !sources.hasPassphraseSource)) {
    out.push(gpgProgram(env).unwrapper({ optional: flags.gpg !== true }));
  }
  if (sources.hasPassphraseSource || !explicit) out.push(passphraseUnwrapper(withHint(sources)));
  return out;
}

/** The passphrase reader, whose "no passphrase" error also points to the other ways in when no source is set. */
function withHint(sources: CredentialSources): () => Promise<string> {
  return async () => {
    try {
      return await sources.passphrase();
    } catch (error) {
      if (!(error instanceof UsageError) || sources.hasPassphraseSource) throw error;
      throw new UsageError(`${error.message} (key files wrapped by age or OpenPGP open with --age-identity FILE, --gpg-identity FILE or gpg)`, { cause: error });
    }
  };
}

/**
 * An OpenPGP private key file read on first use, so a key protected by a
 * passphrase asks for it only when an OpenPGP key file is actually tried.
 */
function lazyOpenPgpIdentity(path: string, passphrase: () => Promise<string>): KeyUnwrapper {
  let identity: Promise<OpenPgpIdentity> | undefined;
  const description = `OpenPGP key ${path}`;
  return {
    wrapping: 'openpgp',
    description,
    async unwrap(file, what, signal) {
      identity ??= readCredential(path, 'OpenPGP private key', 'bytes').then((bytes) => readOpenPgpIdentity(bytes, path, passphrase));
      return openpgpIdentityUnwrapper(await identity, path).unwrap(file, what, signal);
    },
  };
}

/**
 * How a new key file is wrapped: to age recipients, to OpenPGP keys (gpg's
 * keyring, or public key files through OpenPGP.js), else with a new
 * passphrase from `newPassphrase()`.
 */
export async function newKeyWrapper(
  flags: WrappingFlags, env: NodeJS.ProcessEnv, newPassphrase: () => Promise<string>, signal?: AbortSignal,
): Promise<KeyWrapper> {
  const age = flags.ageRecipient ?? [];
  const gpgIds = flags.gpgRecipient ?? [];
  const gpgFiles = flags.gpgRecipientFile ?? [];
  const kinds = [age.length > 0, gpgIds.length > 0, gpgFiles.length > 0].filter(Boolean).length;
  if (kinds > 1) {
    throw new UsageError('a key file is wrapped one way: give --age-recipient, --gpg-recipient or --gpg-recipient-file, not several (add one key file for each)');
  }
  if (kinds > 0 && flags.scryptN !== undefined) throw new UsageError('--scrypt-n applies only to a passphrase key file');
  if (age.length > 0) return ageWrapper(age);
  if (gpgIds.length > 0) {
    const gpg = gpgProgram(env);
    if (!(await gpg.available())) {
      throw new UsageError(`--gpg-recipient needs the gpg program (${gpg.program}); without it, export the public key and use --gpg-recipient-file KEY.asc`);
    }
    return gpg.wrapper(gpgIds, signal);
  }
  if (gpgFiles.length > 0) {
    const recipients = await Promise.all(gpgFiles.map(async (path) => readOpenPgpRecipients(await readCredential(path, 'OpenPGP public key', 'bytes'), path)));
    return openpgpKeyWrapper({ fingerprints: recipients.flatMap((r) => r.fingerprints), keys: recipients.flatMap((r) => r.keys) });
  }
  const kdf = scryptParams(flags.scryptN); // checked before anyone is asked for a passphrase
  return passphraseWrapper(await newPassphrase(), kdf);
}

/** `--scrypt-n` as scrypt parameters (r = 8, p = 1), or undefined for the default. */
export function scryptParams(scryptN: string | undefined): { N: number; r: number; p: number } | undefined {
  if (scryptN === undefined) return undefined;
  const n = Number(scryptN);
  if (!Number.isInteger(n) || n < 16384 || (n & (n - 1)) !== 0) throw new UsageError('--scrypt-n must be a power of two, at least 16384');
  return { N: n, r: 8, p: 1 };
}

function readCredential(path: string, what: string): Promise<string>;
function readCredential(path: string, what: string, as: 'bytes'): Promise<Buffer>;
async function readCredential(path: string, what: string, as?: 'bytes'): Promise<string | Buffer> {
  try {
    return as === 'bytes' ? await readFile(path) : await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${what} ${path}: ${describe(error)}`, { cause: error });
  }
}

function nonEmpty(value: string | undefined): string[] | undefined {
  return value === undefined || value === '' ? undefined : [value];
}
