/**
 * Test helpers around the real `age`, `age-keygen` and `gpg` programs
 * (installed by `scripts/system-deps.sh test`). Nothing here reads the
 * user's own keys: every GnuPG home is a fresh 0700 directory, its agent is
 * stopped (`gpgconf --kill all`) and the directory removed when the test
 * ends, and age identities are files in the test's directory. A missing
 * program makes the test fail, not skip.
 */
import { spawn } from 'node:child_process';
import { chmod, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeTree } from '../source/testing.js';

export interface ProgramResult {
  readonly code: number | null;
  readonly stdout: Buffer;
  readonly stderr: string;
}

/** Runs a program with `input` on stdin; rejects if it cannot start or exits non-zero (unless `allowFailure`). */
export function runProgram(
  program: string, args: readonly string[], options: { env?: NodeJS.ProcessEnv; input?: string | Buffer; allowFailure?: boolean } = {},
): Promise<ProgramResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { env: options.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.stdin.on('error', () => undefined);
    child.on('close', (code) => {
      const result = { code, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8') };
      if (code !== 0 && !options.allowFailure) reject(new Error(`${program} ${args.join(' ')} exited ${code}: ${result.stderr}`));
      else resolve(result);
    });
    child.stdin.end(options.input ?? '');
  });
}

/** An age identity made by the real `age-keygen`. */
export interface AgeKey {
  readonly identityFile: string;
  readonly recipient: string;
}

export async function ageKeygen(dir: string, name: string): Promise<AgeKey> {
  const identityFile = join(dir, `${name}.age-identity`);
  await runProgram('age-keygen', ['-o', identityFile]);
  const recipient = (await runProgram('age-keygen', ['-y', identityFile])).stdout.toString('utf8').trim();
  return { identityFile, recipient };
}

/** `age -d -i identity` of an armored age file; the plaintext. */
export async function ageDecryptWithProgram(identityFile: string, armored: string): Promise<Buffer> {
  return (await runProgram('age', ['-d', '-i', identityFile], { input: armored })).stdout;
}

/** `age -a -r recipient` of `plaintext`; the armored age file. */
export async function ageEncryptWithProgram(recipient: string, plaintext: Buffer): Promise<string> {
  return (await runProgram('age', ['-a', '-r', recipient], { input: plaintext })).stdout.toString('utf8');
}

/** A throwaway GnuPG home with one key (Ed25519 primary, Cv25519 encryption subkey, no passphrase). */
export interface GnupgHome {
  readonly home: string;
  /** An environment for gpg and for coffer: GNUPGHOME set, PATH kept. */
  readonly env: NodeJS.ProcessEnv;
  readonly email: string;
  /** Primary key fingerprint, uppercase. */
  readonly fingerprint: string;
  /** Armored public key file. */
  readonly publicKeyFile: string;
  /** Armored secret key file (unprotected). */
  readonly secretKeyFile: string;
  gpg(args: readonly string[], input?: string | Buffer, allowFailure?: boolean): Promise<ProgramResult>;
}

/**
 * Runs `fn` with a fresh GnuPG home holding a new key for `email`. The home
 * is short-pathed under the system temp directory (gpg-agent's socket path
 * must stay under about 100 bytes) and always cleaned up, agent included.
 */
export async function withGnupgHome<T>(email: string, fn: (gnupg: GnupgHome) => Promise<T>): Promise<T> {
  const home = await mkdtemp(join(tmpdir(), 'cg-'));
  await chmod(home, 0o700);
  const env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', GNUPGHOME: home, LC_ALL: 'C.UTF-8' };
  const gpg = (args: readonly string[], input?: string | Buffer, allowFailure = false) =>
    runProgram('gpg', ['--batch', '--no-tty', ...args], { env, input, allowFailure });
  try {
    await gpg(['--passphrase', '', '--quick-gen-key', `Coffer Test <${email}>`, 'future-default', 'default', 'never']);
    const listing = (await gpg(['--with-colons', '--list-keys', email])).stdout.toString('utf8');
    const fingerprint = /^fpr:+([0-9A-F]{40}):/m.exec(listing)?.[1];
    if (!fingerprint) throw new Error(`no fingerprint in gpg's listing: ${listing}`);
    const publicKeyFile = join(home, 'public.asc');
    const secretKeyFile = join(home, 'secret.asc');
    await gpg(['--armor', '--output', publicKeyFile, '--export', fingerprint]);
    await gpg(['--pinentry-mode', 'loopback', '--passphrase', '', '--armor', '--output', secretKeyFile, '--export-secret-keys', fingerprint]);
    return await fn({ home, env, email, fingerprint, publicKeyFile, secretKeyFile, gpg });
  } finally {
    await runProgram('gpgconf', ['--kill', 'all'], { env, allowFailure: true }).catch(() => undefined);
    await removeTree(home);
  }
}

/** The `message` field of a key file in a repository directory. */
export async function keyFileMessage(repo: string, id: string): Promise<string> {
  return (JSON.parse(await readFile(join(repo, 'keys', id), 'utf8')) as { message: string }).message;
}
