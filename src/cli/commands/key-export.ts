/**
 * `key export` and `key import` (docs/security.md "Offline keys"): the full
 * key as text to print and keep offline, and back to a key file with a new
 * passphrase or recipient.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { IntegrityError, UsageError, describe } from '../../errors.js';
import {
  addKeyFileWith, exportKey, keyringFromExport, openRepository, readKeyExport, Repository, sealKeyFileWith,
} from '../../repository/index.js';
import type { Context } from '../context.js';
import { newKeyWrapper, scryptParams } from '../key-credentials.js';
import { readNewPassword } from '../password.js';
import type { KeyFlags } from './key.js';

export interface ExportFlags {
  output?: string;
  protect?: boolean;
  newPasswordFile?: string;
  scryptN?: string;
}

export interface ImportFlags extends KeyFlags {
  output?: string;
}

export async function exportCommand(ctx: Context, flags: ExportFlags): Promise<number> {
  if (flags.scryptN !== undefined && !flags.protect) throw new UsageError('--scrypt-n applies only with --protect');
  const kdf = scryptParams(flags.scryptN);
  const { repository } = await openRepository(ctx.backend, await ctx.keyUnwrappers(), { keyId: ctx.flags.keyId, signal: ctx.signal });
  const passphrase = flags.protect
    ? await readNewPassword({
      newPasswordFile: flags.newPasswordFile, env: ctx.env, stdin: process.stdin, stderr: process.stderr, signal: ctx.signal,
      prompt: 'enter a passphrase for the export: ',
    })
    : undefined;
  const text = await exportKey(repository.keyring, { passphrase, kdf });
  const summary = { type: 'key-export', repository: repository.repositoryId, protected: passphrase !== undefined };
  if (flags.output !== undefined) {
    await writeSecretFile(flags.output, text);
    if (ctx.json) ctx.outJson({ ...summary, file: flags.output });
    else ctx.info(`wrote the full key of repository ${repository.repositoryId.slice(0, 8)} to ${flags.output}: print it, keep it offline, then delete the file`);
  } else if (ctx.json) {
    ctx.outJson({ ...summary, text });
  } else {
    process.stdout.write(text);
  }
  return 0;
}

export async function importCommand(ctx: Context, file: string, flags: ImportFlags): Promise<number> {
  const text = file === '-' ? await readStdin() : await readText(file);
  const parsed = readKeyExport(text);
  const keyring = await keyringFromExport(parsed, () => ctx.passphrase({ prompt: 'enter the passphrase of the key export: ' }));
  try {
    await Repository.loadConfig(ctx.backend, keyring, ctx.signal);
  } catch (error) {
    if (!(error instanceof IntegrityError)) throw error;
    throw new UsageError(`this export (repository ${parsed.repository.slice(0, 8)}) does not open the repository at ${ctx.backend.location}: ${error.message}`, { cause: error });
  }
  const wrapper = await newKeyWrapper(flags, ctx.env, () => readNewPassword({
    newPasswordFile: flags.newPasswordFile, env: ctx.env, stdin: process.stdin, stderr: process.stderr, signal: ctx.signal,
    prompt: 'enter the new passphrase: ',
  }), ctx.signal);
  const options = { name: flags.name ?? `imported@${hostname()}`, now: BigInt(Date.now()) * 1_000_000n, signal: ctx.signal };
  let id: string;
  if (flags.output !== undefined) {
    const sealed = await sealKeyFileWith(keyring, wrapper, options);
    await writeSecretFile(flags.output, sealed.bytes);
    id = sealed.id;
  } else {
    id = await addKeyFileWith(ctx.backend, keyring, wrapper, options);
  }
  if (ctx.json) ctx.outJson({ type: 'key-imported', id, repository: parsed.repository, file: flags.output ?? null });
  else ctx.out(flags.output === undefined ? `imported the key as key ${id.slice(0, 8)}` : `wrote key file ${flags.output} (key ${id.slice(0, 8)})`);
  return 0;
}

/** Creates `path` readable by its owner only; never replaces an existing file. */
async function writeSecretFile(path: string, content: string | Buffer): Promise<void> {
  try {
    await writeFile(path, content, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(code === 'EEXIST' ? `${path} already exists; not replacing it` : `cannot write ${path}: ${describe(error)}`, { cause: error });
  }
}

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read the key export ${path}: ${describe(error)}`, { cause: error });
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
