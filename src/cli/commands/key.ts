import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { UsageError, describe } from '../../errors.js';
import { formatTimeNs, keyFileWrapping } from '../../format/index.js';
import {
  addKeyFileWith, describeWrapping, keyExportFingerprint, keyName, keyringFromExport, listKeyFiles, openRepository,
  readKeyExport, type Keyring,
} from '../../repository/index.js';
import type { Context } from '../context.js';
import { newKeyWrapper, type WrappingFlags } from '../key-credentials.js';
import { readNewPassword } from '../password.js';
import { renderTable } from '../output.js';

export interface KeyFlags extends WrappingFlags { name?: string; newPasswordFile?: string; scryptN?: string }
export interface RemoveFlags { exportFile?: string }

export async function list(ctx: Context): Promise<number> {
  const { keyId } = await unlockCurrent(ctx);
  const keys = await listKeyFiles(ctx.backend, ctx.signal);
  if (ctx.json) {
    ctx.outJson(keys.map((k) => ({
      id: k.id, current: k.id === keyId, name: k.file?.name ?? null, host: k.file?.host ?? null,
      created: k.file ? formatTimeNs(k.file.created) : null,
      kdf: k.file && 'kdf' in k.file ? { N: k.file.kdf.N, r: k.file.kdf.r, p: k.file.kdf.p } : null,
      wrapping: k.file ? keyFileWrapping(k.file) : null,
      recipients: k.file && 'recipients' in k.file ? k.file.recipients : null,
      problem: k.problem ?? null,
    })));
    return 0;
  }
  const rows = keys.map((k) => [
    `${k.id === keyId ? '*' : ' '}${k.id.slice(0, 8)}`, k.file?.name ?? `(damaged: ${k.problem})`, k.file?.host ?? '',
    k.file ? formatTimeNs(k.file.created).slice(0, 19) : '', k.file ? describeWrapping(k.file) : '',
  ]);
  ctx.out(renderTable([' ID', 'Name', 'Host', 'Created', 'Wrapping'], rows).trimEnd());
  return 0;
}

export async function add(ctx: Context, flags: KeyFlags): Promise<number> {
  const { repository } = await unlockCurrent(ctx);
  const id = await addNewKey(ctx, repository.keyring, flags);
  if (ctx.json) ctx.outJson({ type: 'key-added', id });
  else ctx.out(`added key ${id.slice(0, 8)}`);
  return 0;
}

export async function remove(ctx: Context, id: string, flags: RemoveFlags = {}): Promise<number> {
  const { keyId, repository } = await unlockCurrent(ctx);
  const keys = await listKeyFiles(ctx.backend, ctx.signal);
  const matches = keys.filter((k) => k.id.startsWith(id));
  if (matches.length !== 1) throw new UsageError(matches.length === 0 ? `no key ${id}` : `key id ${id} is ambiguous`);
  const target = matches[0]!;
  if (target.id === keyId) {
    if (flags.exportFile === undefined) {
      throw new UsageError(
        'refusing to remove the key in use: open the repository with another key to remove this one, or keep '
        + 'an export of it (coffer key export) and give it with --export-file to drop this key file',
      );
    }
    await checkExportMatches(flags.exportFile, repository.keyring);
  }
  await ctx.backend.remove(keyName(target.id), { signal: ctx.signal });
  if (ctx.json) ctx.outJson({ type: 'key-removed', id: target.id });
  else ctx.out(`removed key ${target.id.slice(0, 8)}`);
  return 0;
}

/** Changes the passphrase: a new key file for the same secrets, then the old one removed. */
export async function passwd(ctx: Context, flags: KeyFlags): Promise<number> {
  const { repository, keyId } = await unlockCurrent(ctx);
  const old = (await listKeyFiles(ctx.backend, ctx.signal)).find((k) => k.id === keyId);
  const id = await addNewKey(ctx, repository.keyring, { ...flags, name: flags.name ?? old?.file?.name });
  await ctx.backend.remove(keyName(keyId), { signal: ctx.signal });
  if (ctx.json) ctx.outJson({ type: 'key-replaced', old: keyId, id });
  else ctx.out(`passphrase changed: key ${keyId.slice(0, 8)} replaced by ${id.slice(0, 8)}`);
  return 0;
}

async function unlockCurrent(ctx: Context) {
  return openRepository(ctx.backend, await ctx.keyUnwrappers(), { keyId: ctx.flags.keyId, signal: ctx.signal });
}

/** A new key file for `keyring` in the repository, wrapped as the flags say (key-credentials.ts). */
export async function addNewKey(ctx: Context, keyring: Keyring, flags: KeyFlags): Promise<string> {
  const wrapper = await newKeyWrapper(flags, ctx.env, () => readNewPassword({
    newPasswordFile: flags.newPasswordFile, env: ctx.env, stdin: process.stdin, stderr: process.stderr, signal: ctx.signal,
    prompt: 'enter the new passphrase: ',
  }), ctx.signal);
  return addKeyFileWith(ctx.backend, keyring, wrapper, {
    name: flags.name ?? `key@${hostname()}`, now: BigInt(Date.now()) * 1_000_000n, signal: ctx.signal,
  });
}

/**
 * Before the key in use is dropped: the export in `path` must read cleanly
 * (every checksum) and hold exactly this key. A passphrase-protected export
 * is checked by its fingerprint, without its passphrase.
 */
async function checkExportMatches(path: string, keyring: Keyring): Promise<void> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read the key export ${path}: ${describe(error)}`, { cause: error });
  }
  const parsed = readKeyExport(text);
  const mismatch = `${path} is not an export of the key in use; nothing was removed`;
  if (parsed.repository !== keyring.repositoryId.toString('hex') || parsed.fingerprint !== keyExportFingerprint(keyring)) {
    throw new UsageError(mismatch);
  }
  if (!parsed.protected) {
    const restored = await keyringFromExport(parsed, () => Promise.reject(new Error('unreachable')));
    if (keyExportFingerprint(restored) !== keyExportFingerprint(keyring)) throw new UsageError(mismatch);
  }
}
