/**
 * The `gpg` program (GnuPG 2.2 or later), for key files wrapped to an
 * OpenPGP key that lives in the user's keyring, gpg-agent or a smartcard.
 * coffer talks to it only through pipes: the secrets go in on stdin and the
 * message comes out on stdout (and back), so nothing touches a temporary
 * file. `--status-fd` tells a key file that is not for this keyring from
 * one that is damaged, and a decryption counts only when gpg reports it
 * complete and integrity-checked (gpg writes plaintext before it notices a
 * bad MDC, so output is kept only then).
 */
import { spawn } from 'node:child_process';
import { inspectOpenPgpMessage } from '../crypto/index.js';
import { AbortedError, CofferError, IntegrityError, UsageError, WrongPasswordError } from '../errors.js';
import { canonicalRecipient, MAX_RECIPIENTS, type AnyKeyFile } from '../format/index.js';
import { shortRecipient, type KeyUnwrapper, type KeyWrapper } from '../repository/index.js';
import { sanitizeForTerminal } from './output.js';

/** More than this on stdout is not a key file's secrets (or its message). */
const MAX_OUTPUT = 256 * 1024;
const COMMON_ARGS = ['--batch', '--no-tty', '--status-fd', '3', '--no-auto-key-retrieve'];

// libgpg-error codes (the low 16 bits of an ERROR status value).
const GPG_ERR_CHECKSUM = 10;
const GPG_ERR_BAD_PASSPHRASE = 11;
const GPG_ERR_BAD_PIN = 87;
const GPG_ERR_CANCELED = 99;

export interface GpgRun {
  readonly exitCode: number | null;
  readonly stdout: Buffer;
  readonly stderr: string;
  /** `[GNUPG:] ` status lines, without the prefix. */
  readonly status: readonly string[];
}

/** The gpg program, run with the caller's environment (GNUPGHOME, GPG_TTY, DISPLAY...). */
export class GpgProgram {
  private availability: Promise<boolean> | undefined;
  private secretKeys: Promise<Set<string>> | undefined;

  constructor(readonly program: string, private readonly env: NodeJS.ProcessEnv) {}

  /** Whether the program can be started at all. */
  available(): Promise<boolean> {
    this.availability ??= this.run(['--version'], '').then((r) => r.exitCode === 0, () => false);
    return this.availability;
  }

  /** Runs gpg with `input` on stdin; rejects only if it cannot be started or prints too much. */
  run(args: readonly string[], input: string | Buffer, signal?: AbortSignal): Promise<GpgRun> {
    return new Promise((resolve, reject) => {
      const child = spawn(this.program, [...COMMON_ARGS, ...args], {
        env: this.env, stdio: ['pipe', 'pipe', 'pipe', 'pipe'], signal,
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      const status: Buffer[] = [];
      let size = 0;
      child.stdout!.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_OUTPUT) {
          child.kill('SIGKILL');
          return;
        }
        out.push(chunk);
      });
      child.stderr!.on('data', (chunk: Buffer) => err.push(chunk));
      (child.stdio[3] as NodeJS.ReadableStream).on('data', (chunk: Buffer) => status.push(chunk));
      child.on('error', (error: NodeJS.ErrnoException) => {
        if (error.name === 'AbortError') reject(new AbortedError());
        else if (error.code === 'ENOENT') reject(new UsageError(`the gpg program (${this.program}) is not installed or not on PATH`));
        else reject(error);
      });
      child.stdin!.on('error', () => undefined); // gpg may exit before reading all of stdin; its exit status tells
      child.on('close', (exitCode) => {
        if (size > MAX_OUTPUT) {
          reject(new IntegrityError(`gpg printed more than ${MAX_OUTPUT} bytes: not a coffer key file`));
          return;
        }
        resolve({
          exitCode,
          stdout: Buffer.concat(out),
          stderr: Buffer.concat(err).toString('utf8'),
          status: Buffer.concat(status).toString('utf8').split('\n')
            .filter((line) => line.startsWith('[GNUPG:] ')).map((line) => line.slice(9)),
        });
      });
      child.stdin!.end(input);
    });
  }

  /** The primary fingerprint of the one public key `id` names in gpg's keyring; it must be able to encrypt. */
  async fingerprintOf(id: string, signal?: AbortSignal): Promise<string> {
    const run = await this.run(['--with-colons', '--list-keys', '--', id], '', signal);
    const keys: { fingerprint: string; validity: string; capabilities: string }[] = [];
    let pending: { validity: string; capabilities: string } | undefined;
    for (const line of run.stdout.toString('utf8').split('\n')) {
      const fields = line.split(':');
      if (fields[0] === 'pub') pending = { validity: fields[1] ?? '', capabilities: fields[11] ?? '' };
      else if (fields[0] === 'fpr' && pending) {
        keys.push({ ...pending, fingerprint: fields[9] ?? '' });
        pending = undefined;
      }
    }
    const shown = JSON.stringify(sanitizeForTerminal(id));
    if (keys.length === 0) throw new UsageError(`gpg has no public key ${shown}${tail(run.stderr)}`);
    if (keys.length > 1) throw new UsageError(`${shown} names ${keys.length} keys in gpg's keyring; give a fingerprint`);
    const key = keys[0]!;
    if (/[rednio]/.test(key.validity)) throw new UsageError(`gpg key ${key.fingerprint} is revoked, expired or disabled`);
    if (!key.capabilities.includes('E')) throw new UsageError(`gpg key ${key.fingerprint} has no usable encryption subkey`);
    return canonicalRecipient('openpgp', key.fingerprint);
  }

  /** Wraps new key files to these keys of gpg's keyring (names, emails or fingerprints). */
  async wrapper(ids: readonly string[], signal?: AbortSignal): Promise<KeyWrapper> {
    const fingerprints = [...new Set(await Promise.all(ids.map((id) => this.fingerprintOf(id, signal))))];
    if (fingerprints.length > MAX_RECIPIENTS) throw new UsageError(`at most ${MAX_RECIPIENTS} recipients per key file`);
    return {
      wrapping: 'openpgp',
      description: `gpg key${fingerprints.length > 1 ? 's' : ''} ${fingerprints.map(shortRecipient).join(', ')}`,
      wrap: async (secrets, wrapSignal) => {
        const args = ['--armor', '--encrypt', ...fingerprints.flatMap((f) => ['--recipient', f])];
        const run = await this.run(args, secrets, wrapSignal);
        const message = run.stdout.toString('utf8');
        if (run.exitCode !== 0 || !run.status.some((s) => s.startsWith('END_ENCRYPTION'))) {
          throw new UsageError(`gpg could not encrypt to ${fingerprints.join(', ')}${tail(run.stderr)}`);
        }
        return { wrapping: 'openpgp', recipients: fingerprints, message };
      },
    };
  }

  /** Key ids (16 hex digits, lowercase) of the secret keys and subkeys gpg holds, smartcard stubs included. */
  private secretKeyIds(signal?: AbortSignal): Promise<Set<string>> {
    this.secretKeys ??= this.run(['--with-colons', '--list-secret-keys'], '', signal).then((run) => new Set(
      run.stdout.toString('utf8').split('\n').map((line) => line.split(':'))
        .filter((f) => f[0] === 'sec' || f[0] === 'ssb').map((f) => (f[4] ?? '').toLowerCase()),
    ));
    return this.secretKeys;
  }

  /**
   * Opens OpenPGP key files with whatever secret keys gpg (and gpg-agent, and
   * a smartcard) holds. gpg is started only when such a key file is tried;
   * if it is not installed, an `optional` unwrapper opens nothing instead of
   * failing.
   */
  unwrapper({ optional = false }: { optional?: boolean } = {}): KeyUnwrapper {
    return {
      wrapping: 'openpgp',
      description: 'gpg',
      unwrap: async (file: AnyKeyFile, what: string, signal?: AbortSignal) => {
        if (!('wrapping' in file) || file.wrapping !== 'openpgp') return null;
        if (!(await this.available())) {
          if (optional) return null;
          throw new UsageError(`the gpg program (${this.program}) is not installed or not on PATH`);
        }
        // Refuses passphrase-encrypted and unprotected messages before gpg sees them, and does not start a
        // decryption (which may ask for a smartcard) for a message to none of gpg's secret keys.
        const { keyIds, binary } = await inspectOpenPgpMessage(file.message, what);
        const hidden = keyIds.some((id) => /^0+$/.test(id));
        const mine = await this.secretKeyIds(signal);
        if (!hidden && !keyIds.some((id) => mine.has(id))) return null;
        return decryptResult(await this.run(['--decrypt'], Buffer.from(binary), signal), what);
      },
    };
  }
}

/** Interprets a `gpg --decrypt` run (see the module comment). */
export function decryptResult(run: GpgRun, what: string): Buffer | null {
  const has = (word: string) => run.status.some((s) => s === word || s.startsWith(`${word} `));
  if (run.exitCode === 0 && has('DECRYPTION_OKAY') && has('GOODMDC') && !has('BADMDC') && !has('DECRYPTION_FAILED')) {
    return run.stdout;
  }
  run.stdout.fill(0);
  if (has('BADMDC')) throw new IntegrityError(`${what}: the OpenPGP message is damaged (gpg: integrity check failed)`);
  if (has('DECRYPTION_OKAY')) throw new IntegrityError(`${what}: the OpenPGP message is not integrity-protected`);
  const recipients = run.status.filter((s) => s.startsWith('ENC_TO ')).map((s) => s.split(' ')[1]);
  const missing = new Set(run.status.filter((s) => s.startsWith('NO_SECKEY ')).map((s) => s.split(' ')[1]));
  if (recipients.length > 0 && recipients.every((id) => missing.has(id))) return null;
  const failure = run.status.find((s) => s.startsWith('ERROR pkdecrypt_failed '));
  const code = failure ? Number(failure.split(' ')[2]) & 0xffff : undefined;
  if (code === GPG_ERR_CANCELED) throw new AbortedError(`${what}: gpg: decryption cancelled`);
  if (code === GPG_ERR_BAD_PASSPHRASE || code === GPG_ERR_BAD_PIN) {
    throw new WrongPasswordError(`${what}: gpg: wrong passphrase or PIN for the secret key${tail(run.stderr)}`);
  }
  // A session key that does not decrypt (checksum) or data that fails after the key was found: the file is damaged.
  // Any other failure (no card, no agent) is gpg's to explain.
  if (code === GPG_ERR_CHECKSUM || (failure === undefined && has('DECRYPTION_KEY'))) {
    throw new IntegrityError(`${what}: the OpenPGP message is damaged${tail(run.stderr)}`);
  }
  throw new CofferError('GPG', `${what}: gpg could not decrypt it (exit ${run.exitCode})${tail(run.stderr)}`);
}

/** The last lines gpg printed on stderr, for a message. */
function tail(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter((l) => l !== '').slice(-3);
  return lines.length === 0 ? '' : ` (${sanitizeForTerminal(lines.join('; '))})`;
}
