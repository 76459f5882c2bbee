import { hostname, userInfo } from 'node:os';
import { validateChunkerParams } from '../../chunker/index.js';
import { UsageError } from '../../errors.js';
import { MAX_PACK_SIZE, MIN_PACK_SIZE } from '../../format/index.js';
import { initRepository, DEFAULT_CHUNKER, DEFAULT_PACK_SIZE } from '../../repository/index.js';
import type { Context } from '../context.js';
import { newKeyWrapper, type WrappingFlags } from '../key-credentials.js';
import { parseSize } from '../sizes.js';

export interface InitFlags extends WrappingFlags {
  keyName?: string;
  packSize?: string;
  chunkMin?: string;
  chunkAvg?: string;
  chunkMax?: string;
  scryptN?: string;
}

export async function run(ctx: Context, flags: InitFlags): Promise<number> {
  const chunker = {
    algorithm: 'fastcdc-v1' as const,
    min: flags.chunkMin ? parseSize(flags.chunkMin, '--chunk-min') : DEFAULT_CHUNKER.min,
    avg: flags.chunkAvg ? parseSize(flags.chunkAvg, '--chunk-avg') : DEFAULT_CHUNKER.avg,
    max: flags.chunkMax ? parseSize(flags.chunkMax, '--chunk-max') : DEFAULT_CHUNKER.max,
  };
  try {
    validateChunkerParams(chunker);
  } catch (error) {
    throw new UsageError(`init: ${(error as Error).message}`);
  }
  const packSize = flags.packSize ? parseSize(flags.packSize, '--pack-size') : DEFAULT_PACK_SIZE;
  if (packSize < MIN_PACK_SIZE || packSize > MAX_PACK_SIZE) {
    throw new UsageError(`--pack-size must be between ${MIN_PACK_SIZE >> 20} MiB and ${MAX_PACK_SIZE >> 20} MiB`);
  }
  const n = flags.scryptN ? Number(flags.scryptN) : undefined;
  if (n !== undefined && (n < 16384 || (n & (n - 1)) !== 0)) throw new UsageError('--scrypt-n must be a power of two, at least 16384');
  if (n !== undefined && !Number.isInteger(n)) throw new UsageError(`--scrypt-n: "${flags.scryptN}" is not an integer`);
  const backend = ctx.backend;
  // With recipients, the first key file is wrapped to them and no passphrase is asked (key-credentials.ts).
  const wrapper = (flags.ageRecipient?.length || flags.gpgRecipient?.length || flags.gpgRecipientFile?.length)
    ? await newKeyWrapper(flags, ctx.env, () => Promise.reject(new UsageError('unreachable')), ctx.signal)
    : undefined;
  const passphrase = wrapper ? undefined : await ctx.passphrase({ confirm: true, prompt: 'enter passphrase for the new repository: ' });
  const { repository, keyId } = await initRepository(backend, {
    passphrase,
    wrapper,
    keyName: flags.keyName ?? `${safeUser()}@${hostname()}`,
    now: BigInt(Date.now()) * 1_000_000n,
    kdf: n === undefined ? undefined : { N: n, r: 8, p: 1 },
    chunker,
    packSize,
    signal: ctx.signal,
  });
  if (ctx.json) ctx.outJson({ type: 'init', repository: repository.repositoryId, location: backend.location, key: keyId });
  else ctx.out(`created coffer repository ${repository.repositoryId.slice(0, 8)} at ${backend.location}`);
  return 0;
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'user';
  }
}
