/**
 * The files cache: path -> (size, mtime, ctime, inode, content blob ids) from
 * the last backup, so an unchanged file is not read again (docs/format.md
 * "Local cache"). It is only a hint: a hit is used only if every blob it
 * names is still indexed, and the file can be deleted at any time.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface CachedFile {
  readonly size: number;
  readonly mtimeNs: bigint;
  readonly ctimeNs: bigint;
  readonly inode: bigint;
  readonly content: readonly string[];
}

interface StoredEntry { s: number; m: string; c: string; i: string; b: string[] }

const VERSION = 1;

export class FilesCache {
  private readonly previous: Map<string, StoredEntry>;
  private readonly current = new Map<string, StoredEntry>();

  private constructor(private readonly file: string | null, previous: Map<string, StoredEntry>) {
    this.previous = previous;
  }

  /** An empty cache that is never saved (for `--no-cache` and tests). */
  static disabled(): FilesCache {
    return new FilesCache(null, new Map());
  }

  /** Loads the cache file; a missing or damaged file is an empty cache. */
  static async load(file: string): Promise<FilesCache> {
    try {
      const parsed = JSON.parse(await readFile(file, 'utf8')) as { version: number; files: Record<string, StoredEntry> };
      if (parsed.version !== VERSION) return new FilesCache(file, new Map());
      return new FilesCache(file, new Map(Object.entries(parsed.files)));
    } catch {
      return new FilesCache(file, new Map());
    }
  }

  /** What the last backup recorded for `path` (raw bytes). */
  lookup(path: Buffer): CachedFile | undefined {
    const e = this.previous.get(path.toString('latin1'));
    if (!e) return undefined;
    return { size: e.s, mtimeNs: BigInt(e.m), ctimeNs: BigInt(e.c), inode: BigInt(e.i), content: e.b };
  }

  /** Records a file read (or reused) by this backup. */
  record(path: Buffer, file: CachedFile): void {
    this.current.set(path.toString('latin1'), {
      s: file.size, m: file.mtimeNs.toString(), c: file.ctimeNs.toString(), i: file.inode.toString(), b: [...file.content],
    });
  }

  /**
   * Writes this backup's entries, keeping earlier entries outside `roots`
   * (so alternating backups of different paths both stay cached). Written to
   * a temporary name and renamed, so a crash leaves the old or the new file.
   */
  async save(roots: readonly Buffer[]): Promise<void> {
    if (!this.file) return;
    const prefixes = roots.map((r) => r.toString('latin1'));
    const files: Record<string, StoredEntry> = {};
    for (const [path, entry] of this.previous) {
      if (!prefixes.some((p) => path === p || path.startsWith(p.endsWith('/') ? p : `${p}/`))) files[path] = entry;
    }
    for (const [path, entry] of this.current) files[path] = entry;
    await mkdir(dirname(this.file), { recursive: true, mode: 0o700 });
    const temp = `${this.file}.${process.pid}.tmp`;
    await writeFile(temp, JSON.stringify({ version: VERSION, files }), { mode: 0o600 });
    await rename(temp, this.file);
  }
}
