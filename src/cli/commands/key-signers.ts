/**
 * Signers: `key add --write-only` (a key file for a host that may only back
 * up, written outside the repository), `key revoke`, `key signers`. Plain
 * `key add` (another passphrase for the same secrets) stays in key.ts.
 */
import { open, unlink } from 'node:fs/promises';
import { UsageError } from '../../errors.js';
import { formatTimeNs } from '../../format/index.js';
import {
  authorizeSigner, describeSigner, requireOwnerKey, revokeSigner, sealKeyFileWith, writeOnlyKeyring,
} from '../../repository/index.js';
import type { Context } from '../context.js';
import { newKeyWrapper } from '../key-credentials.js';
import { renderTable } from '../output.js';
import { readNewPassword } from '../password.js';
import type { KeyFlags } from './key.js';

export interface SignerKeyFlags extends KeyFlags { writeOnly?: boolean; output?: string }

const now = (): bigint => BigInt(Date.now()) * 1_000_000n;

/** `key add`: a write-only key with --write-only, else another key file for the same secrets (key.ts). */
export async function add(ctx: Context, flags: SignerKeyFlags): Promise<number> {
  if (!flags.writeOnly) {
    if (flags.output !== undefined) throw new UsageError('key add: --output goes with --write-only');
    const { repository } = await ctx.unlock();
    requireOwnerKey(repository.keyring, 'key add'); // a write-only key must not copy itself into keys/
    return (await import('./key.js')).add(ctx, flags);
  }
  if (!flags.name) throw new UsageError('key add --write-only: --name NAME is required (it names the signer, e.g. for key revoke)');
  if (!flags.output) throw new UsageError('key add --write-only: --output FILE is required (the key file is kept outside the repository)');
  const { repository } = await ctx.unlock();
  requireOwnerKey(repository.keyring, 'key add --write-only');
  const keyring = writeOnlyKeyring(repository.keyring, flags.name);
  // A passphrase, or an age / OpenPGP recipient, like any key file (key-credentials.ts).
  const wrapper = await newKeyWrapper(flags, ctx.env, () => readNewPassword({
    newPasswordFile: flags.newPasswordFile, env: ctx.env, stdin: process.stdin, stderr: process.stderr, signal: ctx.signal,
    prompt: `enter the passphrase for write-only key "${flags.name}": `,
  }), ctx.signal);
  const sealed = await sealKeyFileWith(keyring, wrapper, { name: flags.name, now: now(), signal: ctx.signal });
  // Create the file first (never replacing one), so a bad path fails before the signer is authorized.
  const file = await open(flags.output, 'wx', 0o600).catch((cause: NodeJS.ErrnoException) => {
    throw new UsageError(`--output ${flags.output}: cannot create it (${cause.code ?? 'error'})`, { cause });
  });
  let set;
  try {
    set = await authorizeSigner(repository, { name: flags.name, publicKey: keyring.signer.publicKey, role: 'write-only' }, now(), ctx.signal);
    await file.writeFile(sealed.bytes);
    await file.sync();
  } catch (error) {
    await file.close();
    await unlink(flags.output).catch(() => undefined);
    throw error;
  }
  await file.close();
  if (ctx.json) {
    ctx.outJson({
      type: 'key-added', role: 'write-only', name: flags.name, signer: keyring.signer.publicKey.toString('hex'),
      file: flags.output, signerSetVersion: set.version,
    });
  } else {
    ctx.out(`added write-only key ${describeSigner(keyring.signer)}, written to ${flags.output} (signer set version ${set.version})`);
    ctx.info('use it on the host with --key-file (or COFFER_KEY_FILE); it can back up, but not read, list or delete');
  }
  return 0;
}

/** `key revoke NAME`: the signer's snapshots from now on are flagged; those the owner sees now keep counting. */
export async function revoke(ctx: Context, ref: string): Promise<number> {
  const { repository } = await ctx.unlock();
  const revoked = await revokeSigner(repository, ref, now(), ctx.signal);
  if (ctx.json) {
    ctx.outJson({
      type: 'signer-revoked', name: revoked.name, signer: revoked.publicKey.toString('hex'),
      trustedSnapshots: revoked.trustedSnapshots, signerSetVersion: repository.signerSetVersion ?? null,
    });
  } else {
    ctx.out(`revoked signer ${describeSigner(revoked)}; its ${revoked.trustedSnapshots.length} snapshot(s) seen now keep counting, any other is flagged`);
  }
  return 0;
}

/** `key signers`: the signer set in use. */
export async function signers(ctx: Context): Promise<number> {
  const repository = await ctx.openReader('key signers');
  const set = await repository.loadSignerSet(ctx.signal);
  for (const issue of repository.signerSetIssues) ctx.warn({ code: 'SIGNER_SET', message: `${issue.object}: ${issue.message}` });
  if (ctx.json) {
    ctx.outJson({
      type: 'signers', version: set.version,
      signers: set.signers.map((s) => ({
        name: s.name, publicKey: s.publicKey.toString('hex'), role: s.role, added: formatTimeNs(s.added),
        revoked: s.revoked === null ? null : formatTimeNs(s.revoked), trustedSnapshots: s.trustedSnapshots,
      })),
    });
    return 0;
  }
  const rows = set.signers.map((s) => [
    s.name, s.publicKey.toString('hex').slice(0, 16), s.role, formatTimeNs(s.added).slice(0, 19),
    s.revoked === null ? '' : `revoked ${formatTimeNs(s.revoked).slice(0, 19)}`,
  ]);
  ctx.out(renderTable(['Name', 'Public key', 'Role', 'Added', 'State'], rows).trimEnd());
  ctx.out(`signer set version ${set.version}`);
  return 0;
}
