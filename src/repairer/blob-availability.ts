/**
 * Whether a blob can still be read, for `repair snapshots`: it must be
 * indexed and its pack must exist in storage; with `readData`, the pack is
 * also loaded once and every blob in it opened and checked against its id
 * (as `check --read-data` does), so damaged blobs count as lost too.
 */
import { BackendError, describe, throwIfAborted } from '../errors.js';
import { BlobType, shortId, type BlobId, type PackType } from '../format/index.js';
import { packName, type Repository } from '../repository/index.js';

interface PackVerdict {
  readonly held: ReadonlySet<string>;
  readonly bad: ReadonlySet<string>;
}

export class BlobAvailability {
  /** Per verified pack: why it cannot be read at all, or the ids it holds and those of them that do not open. */
  private readonly verified = new Map<string, Promise<string | PackVerdict>>();

  private constructor(
    private readonly repository: Repository,
    private readonly stored: ReadonlySet<string>,
    private readonly readData: boolean,
    private readonly signal?: AbortSignal,
  ) {}

  static async create(repository: Repository, options: { readData?: boolean; signal?: AbortSignal } = {}): Promise<BlobAvailability> {
    const stored = new Set<string>();
    for (const prefix of ['data/', 'tree/']) {
      for await (const object of repository.backend.list(prefix, { signal: options.signal })) stored.add(object.name);
    }
    return new BlobAvailability(repository, stored, options.readData === true, options.signal);
  }

  /** Why the blob cannot be read, or undefined if it can. */
  async problem(id: BlobId, type: BlobType): Promise<string | undefined> {
    const location = this.repository.index.lookup(Buffer.from(id, 'hex'));
    if (!location || location.type !== type) return `blob ${shortId(id)} is not in the index`;
    const packType: PackType = type === BlobType.tree ? 'tree' : 'data';
    if (!this.stored.has(packName(packType, location.packId))) return `pack ${shortId(location.packId)} is missing`;
    if (!this.readData) return undefined;
    let verdict = this.verified.get(location.packId);
    if (!verdict) {
      verdict = this.verify(location.packId, packType);
      this.verified.set(location.packId, verdict);
    }
    const result = await verdict;
    if (typeof result === 'string') return result;
    if (!result.held.has(id)) return `blob ${shortId(id)}: not in pack ${shortId(location.packId)} although the index says so`;
    return result.bad.has(id) ? `blob ${shortId(id)} in pack ${shortId(location.packId)} is damaged` : undefined;
  }

  private async verify(packId: string, type: PackType): Promise<string | PackVerdict> {
    try {
      const pack = await this.repository.loadPack(packId, type, this.signal);
      const held = new Set(pack.entries.map((e) => e.id));
      const bad = new Set<string>();
      for (const entry of pack.entries) {
        try {
          pack.openBlob(entry, this.repository.codec);
        } catch {
          bad.add(entry.id);
        }
      }
      return { held, bad };
    } catch (error) {
      // Storage failing is not evidence of loss: stop rather than drop files.
      if (error instanceof BackendError) throw error;
      throwIfAborted(this.signal);
      return `pack ${shortId(packId)} is unreadable: ${describe(error)}`;
    }
  }
}
