/**
 * A local journal of saved packs (docs/format.md "Order of writes"): each
 * pack's entries are appended once its save has resolved, so a backup that
 * dies before writing its index object does not lose the packs it uploaded.
 * The next backup writes an index object for journaled packs that exist in
 * storage. Journals live in the cache: deleting them costs only re-uploads.
 */
import { appendFile, mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from '../crypto/index.js';
import { decodeIndexPayload, encodeIndexPayload, type IndexPack } from '../format/index.js';

const SUFFIX = '.journal';

export class PackJournal {
  private constructor(private readonly file: string) {}

  /** A new journal in `dir` for one backup run. */
  static async create(dir: string): Promise<PackJournal> {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    return new PackJournal(join(dir, `${Date.now()}-${randomBytes(6).toString('hex')}${SUFFIX}`));
  }

  /** Records a saved pack; one line of base64 per pack, so a torn last line is simply dropped on recovery. */
  async record(pack: IndexPack): Promise<void> {
    const line = encodeIndexPayload({ superseded: [], packs: [pack] }).toString('base64');
    await appendFile(this.file, `${line}\n`, { mode: 0o600 });
  }

  /** Removes this run's journal once an index object covers everything in it. */
  async discard(): Promise<void> {
    await rm(this.file, { force: true });
  }

  /** Packs recorded by earlier runs that never finished, and the files that hold them. */
  static async leftovers(dir: string): Promise<{ packs: IndexPack[]; files: string[] }> {
    let names: string[];
    try {
      names = (await readdir(dir)).filter((n) => n.endsWith(SUFFIX));
    } catch {
      return { packs: [], files: [] };
    }
    const packs: IndexPack[] = [];
    const files = names.map((n) => join(dir, n));
    for (const file of files) {
      for (const line of (await readFile(file, 'utf8')).split('\n')) {
        if (!line) continue;
        try {
          packs.push(...decodeIndexPayload(Buffer.from(line, 'base64')).packs);
        } catch {
          // A torn line from a crash mid-append: that pack is simply uploaded again.
        }
      }
    }
    return { packs, files };
  }

  static async remove(files: readonly string[]): Promise<void> {
    await Promise.all(files.map((f) => rm(f, { force: true })));
  }
}
