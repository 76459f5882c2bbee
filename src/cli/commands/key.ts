import { hostname } from 'node:os';
import { UsageError } from '../../errors.js';
import { formatTimeNs } from '../../format/index.js';
import { addKeyFile, keyName, listKeyFiles } from '../../repository/index.js';
import type { Context } from '../context.js';
import { readNewPassword } from '../password.js';
import { renderTable } from '../output.js';

export interface KeyFlags { name?: string; newPasswordFile?: string; scryptN?: string }

export async function list(ctx: Context): Promise<number> {
  const { keyId } = await unlockCurrent(ctx);
  const keys = await listKeyFiles(ctx.backend, ctx.signal);
  if (ctx.json) {
    ctx.outJson(keys.map((k) => ({
      id: k.id, current: k.id === keyId, name: k.file?.name ?? null, host: k.file?.host ?? null,
      created: k.file ? formatTimeNs(k.file.created) : null, kdf: k.file ? { N: k.file.kdf.N, r: k.file.kdf.r, p: k.file.kdf.p } : null,
      problem: k.problem ?? null,
    })));
    return 0;
  }
  const rows = keys.map((k) => [
    `${k.id === keyId ? '*' : ' '}${k.id.slice(0, 8)}`, k.file?.name ?? `(damaged: ${k.problem})`, k.file?.host ?? '',
    k.file ? formatTimeNs(k.file.created).slice(0, 19) : '', k.file ? `scrypt N=${k.file.kdf.N} r=${k.file.kdf.r} p=${k.file.kdf.p}` : '',
  ]);
  ctx.out(renderTable([' ID', 'Name', 'Host', 'Created', 'KDF'], rows).trimEnd());
  return 0;
}

export async function add(ctx: Context, flags: KeyFlags): Promise<number> {
  const { repository } = await unlockCurrent(ctx);
  const id = await addNewKey(ctx, repository.keyring, flags);
  if (ctx.json) ctx.outJson({ type: 'key-added', id });
  else ctx.out(`added key ${id.slice(0, 8)}`);
  return 0;
}

export async function remove(ctx: Context, id: string): Promise<number> {
  const { keyId } = await unlockCurrent(ctx);
  const keys = await listKeyFiles(ctx.backend, ctx.signal);
  const matches = keys.filter((k) => k.id.startsWith(id));
  if (matches.length !== 1) throw new UsageError(matches.length === 0 ? `no key ${id}` : `key id ${id} is ambiguous`);
  const target = matches[0]!;
  if (target.id === keyId) throw new UsageError('refusing to remove the key in use: open the repository with another key to remove this one');
  await ctx.backend.remove(keyName(target.id), { signal: ctx.signal });
  if (ctx.json) ctx.outJson({ type: 'key-removed', id: target.id });
  else ctx.out(`removed key ${target.id.slice(0, 8)}`);
  return 0;
}

/** Changes the passphrase: a new key file for the same secrets, then the old one removed. */
export async function passwd(ctx: Context, flags: KeyFlags): Promise<number> {
  if (ctx.settings.keyFile !== undefined) throw new UsageError('key passwd: it replaces a key file in the repository, not one given with --key-file');
  const { repository, keyId } = await unlockCurrent(ctx);
  const old = (await listKeyFiles(ctx.backend, ctx.signal)).find((k) => k.id === keyId);
  const id = await addNewKey(ctx, repository.keyring, { ...flags, name: flags.name ?? old?.file?.name });
  await ctx.backend.remove(keyName(keyId), { signal: ctx.signal });
  if (ctx.json) ctx.outJson({ type: 'key-replaced', old: keyId, id });
  else ctx.out(`passphrase changed: key ${keyId.slice(0, 8)} replaced by ${id.slice(0, 8)}`);
  return 0;
}

async function unlockCurrent(ctx: Context) {
  return ctx.unlock();
}

async function addNewKey(ctx: Context, keyring: Parameters<typeof addKeyFile>[1], flags: KeyFlags): Promise<string> {
  const passphrase = await readNewPassword({
    newPasswordFile: flags.newPasswordFile, env: ctx.env, stdin: process.stdin, stderr: process.stderr, signal: ctx.signal,
    prompt: 'enter the new passphrase: ',
  });
  const n = flags.scryptN ? Number(flags.scryptN) : undefined;
  return addKeyFile(ctx.backend, keyring, passphrase, {
    name: flags.name ?? `key@${hostname()}`, now: BigInt(Date.now()) * 1_000_000n,
    kdf: n === undefined ? undefined : { N: n, r: 8, p: 1 }, signal: ctx.signal,
  });
}
