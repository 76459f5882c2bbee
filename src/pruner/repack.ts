/**
 * Repack (docs/format.md "Garbage collection (prune)", "A prune run", step
 * 4): the used blobs of mostly-unused packs are copied into new packs. Each
 * pack is loaded whole and its name checked; each copied blob is decrypted,
 * decompressed and checked against its id before it is sealed again, so the
 * new packs hold only verified blobs and their index objects are signed by
 * the owner (endorsed). The old packs are only planned for deletion, by the
 * caller, after this has stored the new packs and their index objects.
 */
import { CompressPool } from '../codec/index.js';
import { describe, FormatError, IntegrityError, NotFoundError, throwIfAborted, type Warning } from '../errors.js';
import { shortId } from '../format/index.js';
import { BlobIndex, BlobWriter, OpenedPack, packName, type OwnerKey, type Repository } from '../repository/index.js';
import type { IdTable } from './id-table.js';
import { NONE, type PackTable } from './pack-table.js';

export interface RepackOptions {
  readonly owner: OwnerKey;
  readonly signal?: AbortSignal;
  readonly onWarning?: (warning: Warning) => void;
  readonly onProgress?: (done: number, total: number) => void;
}

export interface RepackResult {
  /** Packs whose used blobs were all copied: they can be planned for deletion. */
  readonly repacked: number[];
  readonly blobsCopied: number;
  readonly packsWritten: number;
  readonly bytesWritten: number;
}

export async function repack(
  repository: Repository, packs: PackTable, referenced: IdTable, keeper: Uint32Array, selected: readonly number[],
  options: RepackOptions,
): Promise<RepackResult> {
  const { signal } = options;
  if (selected.length === 0) return { repacked: [], blobsCopied: 0, packsWritten: 0, bytesWritten: 0 };
  const keys = repository.packReadKeys('repack');
  const pool = new CompressPool();
  const repacked: number[] = [];
  let blobsCopied = 0;
  try {
    const writer = new BlobWriter({
      backend: repository.backend, keyring: repository.keyring, index: new BlobIndex(), pool,
      packSize: repository.config.packSize, signal, indexSigner: { name: 'owner', ...options.owner },
    });
    for (const [i, n] of selected.entries()) {
      throwIfAborted(signal);
      options.onProgress?.(i, selected.length);
      const type = packs.type(n);
      const id = packs.id(n);
      try {
        const pack = OpenedPack.open(id, type, await repository.backend.load(packName(type, id), { signal }), keys);
        for (const entry of pack.entries) {
          const blob = referenced.findHex(entry.id);
          if (blob < 0 || (keeper[blob] !== n && keeper[blob] !== NONE)) continue;
          const plain = pack.openBlob(entry, repository.codec);
          if (await writer.add(entry.type, Buffer.from(entry.id, 'hex'), Buffer.from(plain))) blobsCopied += 1;
        }
        repacked.push(n);
      } catch (error) {
        if (!(error instanceof IntegrityError || error instanceof FormatError || error instanceof NotFoundError)) throw error;
        options.onWarning?.({
          code: 'PRUNE_REPACK_FAILED',
          message: `${type} pack ${shortId(id)}: not repacked, kept (${describe(error)}); run check --read-data`,
        });
      }
    }
    const stats = await writer.finish();
    options.onProgress?.(selected.length, selected.length);
    return { repacked, blobsCopied, packsWritten: stats.packsAdded, bytesWritten: stats.storedBytesAdded };
  } finally {
    await pool.close();
  }
}
