/**
 * Backup: walk the sources, save files, build tree blobs bottom-up, and
 * return the root tree (docs/format.md "Trees"). The snapshot's root tree
 * mirrors absolute paths: `/home/ann/docs` becomes home -> ann -> docs.
 */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { throwIfAborted, type Warning } from '../errors.js';
import {
  BlobType, bytesToId, encodeContentList, MAX_CONTENT_IDS_PER_NODE, paginateTree, type BlobId, type TreeNode,
} from '../format/index.js';
import {
  displayPath, joinPath, listDirectory, metadataFromStats, readLinkTarget, readMetadata, sourceWarning, toBytes,
  type EntryMetadata, type Excluder,
} from '../source/index.js';
import type { BlobSink } from './blob-sink.js';
import { saveFile } from './file-saver.js';
import { EAGER_LIMIT, type FileWorkers } from './file-workers.js';
import type { FilesCache } from './files-cache.js';
import { Semaphore } from '../semaphore.js';
import { settleLater } from '../settle-later.js';
import { buildRootPlan, type RootPlan } from './root-plan.js';
import { scanTotals, type Totals } from './scan-totals.js';

export interface ArchiverOptions {
  readonly sink: BlobSink;
  readonly workers: FileWorkers;
  readonly cache: FilesCache;
  readonly excluder: Excluder;
  readonly oneFileSystem?: boolean;
  readonly onWarning?: (warning: Warning) => void;
  readonly onProgress?: (progress: ArchiveProgress) => void;
  readonly signal?: AbortSignal;
  /** Files read at once. */
  readonly fileConcurrency?: number;
  readonly readBlockSize?: number;
}

export interface ArchiveProgress {
  files: number;
  dirs: number;
  bytesRead: number;
  currentPath: string;
  /** Files and bytes the backup will visit, once a concurrent scan has counted them (for an ETA). */
  totals?: Totals;
}

export interface ArchiveSummary {
  filesNew: number;
  filesChanged: number;
  filesUnchanged: number;
  dirs: number;
  bytesRead: number;
  warnings: number;
}

export interface ArchiveResult {
  readonly tree: BlobId;
  readonly paths: string[];
  readonly summary: ArchiveSummary;
}

export class Archiver {
  private readonly summary: ArchiveSummary = { filesNew: 0, filesChanged: 0, filesUnchanged: 0, dirs: 0, bytesRead: 0, warnings: 0 };
  private readonly files: Semaphore;
  private readonly largeFiles: Semaphore;
  private readonly progress: ArchiveProgress = { files: 0, dirs: 0, bytesRead: 0, currentPath: '' };

  constructor(private readonly options: ArchiverOptions) {
    // Enough files in flight to keep every file worker busy while the main thread walks.
    this.files = new Semaphore(options.fileConcurrency ?? 64);
    // Large files hold read blocks and an unfinished chunk each: one per worker bounds that memory.
    this.largeFiles = new Semaphore(2);
  }

  /** Backs up `paths` (absolute or relative to the working directory) and returns the root tree. */
  async run(paths: readonly string[]): Promise<ArchiveResult> {
    const absolute = paths.map((p) => resolve(p));
    if (this.options.onProgress) {
      const totals: Totals = { files: 0, bytes: 0, done: false };
      this.progress.totals = totals;
      void scanTotals(absolute.map(toBytes), this.options.excluder, this.options.oneFileSystem === true, totals, this.options.signal);
    }
    const plan = buildRootPlan(absolute.map(toBytes));
    const nodes = plan.isSource
      ? await this.directoryNodes(plan.path, (await readMetadata(plan.path, this.options.signal)).device)
      : await this.planNodes(plan);
    const tree = await this.saveTree(nodes);
    return { tree, paths: absolute, summary: this.summary };
  }

  private warn(warning: Warning): void {
    this.summary.warnings += 1;
    this.options.onWarning?.(warning);
  }

  /** Nodes of one level of the root plan: planned directories on the way, or real sources. */
  private async planNodes(plan: RootPlan): Promise<TreeNode[]> {
    const nodes: TreeNode[] = [];
    for (const child of plan.children) {
      let meta: EntryMetadata;
      try {
        // A named source is recorded as it is (a symlink stays a symlink); a directory on the
        // way to one is followed, so `/home -> /usr/home` is recorded as the directory it leads to.
        meta = child.isSource
          ? await readMetadata(child.path, this.options.signal)
          : metadataFromStats(await stat(child.path, { bigint: true }));
      } catch (error) {
        const warning = sourceWarning(error, child.path);
        if (!warning) throw error;
        this.warn(warning);
        continue;
      }
      if (child.isSource) {
        const node = await this.entryNode(child.path, child.name, meta, meta.device);
        if (node) nodes.push(node);
      } else {
        nodes.push({ ...this.baseNode(child.name, meta, 'dir'), subtree: await this.saveTreePages(await this.planNodes(child)) });
      }
    }
    return nodes;
  }

  private baseNode(name: Buffer, meta: EntryMetadata, type: TreeNode['type']): TreeNode {
    const node: TreeNode = { name, type, mode: meta.mode, uid: meta.uid, gid: meta.gid, mtime: meta.mtimeNs };
    if (type !== 'dir' && meta.links > 1) {
      return { ...node, device: meta.device.toString(), inode: meta.inode.toString(), links: meta.links };
    }
    return node;
  }

  private async entryNode(path: Buffer, name: Buffer, meta: EntryMetadata, rootDevice: bigint): Promise<TreeNode | null> {
    throwIfAborted(this.options.signal);
    this.progress.currentPath = displayPath(path);
    switch (meta.type) {
      case 'dir': {
        this.summary.dirs += 1;
        this.progress.dirs += 1;
        const descend = !(this.options.oneFileSystem && meta.device !== rootDevice);
        const children = descend ? await this.directoryNodes(path, rootDevice) : [];
        return { ...this.baseNode(name, meta, 'dir'), subtree: await this.saveTreePages(children) };
      }
      case 'file':
        return this.fileNode(path, name, meta);
      case 'symlink':
        return { ...this.baseNode(name, meta, 'symlink'), target: await readLinkTarget(path, this.options.signal) };
      case 'fifo':
        return this.baseNode(name, meta, 'fifo');
      case 'chardev':
      case 'blockdev':
        return { ...this.baseNode(name, meta, meta.type), rdev: meta.rdev };
      case 'socket':
        // Skipped on purpose (only a listening program can recreate one): a notice, not a failure.
        this.options.onWarning?.({ code: 'SOURCE_SPECIAL_SKIPPED', message: `${displayPath(path)}: socket skipped`, path: displayPath(path) });
        return null;
    }
  }

  private async directoryNodes(path: Buffer, rootDevice: bigint): Promise<TreeNode[]> {
    let names: Buffer[];
    try {
      names = await listDirectory(path, this.options.signal);
    } catch (error) {
      const warning = sourceWarning(error, path);
      if (!warning) throw error;
      this.warn(warning);
      return [];
    }
    const pending: Promise<TreeNode | null>[] = [];
    for (const name of names) {
      const child = joinPath(path, name);
      let meta: EntryMetadata;
      try {
        meta = await readMetadata(child, this.options.signal);
      } catch (error) {
        const warning = sourceWarning(error, child);
        if (!warning) throw error;
        this.warn(warning);
        continue;
      }
      if (this.options.excluder.excludes(child, meta.type === 'dir')) continue;
      if (meta.type === 'file') {
        // Files of one directory are read concurrently; directories are walked in order.
        const gate = meta.size > EAGER_LIMIT ? this.largeFiles : this.files;
        await gate.acquire();
        pending.push(settleLater(this.fileNode(child, name, meta).finally(() => gate.release())));
      } else {
        pending.push(Promise.resolve(await this.entryNode(child, name, meta, rootDevice)));
      }
    }
    const nodes = await Promise.all(pending);
    return nodes.filter((n): n is TreeNode => n !== null);
  }

  private async fileNode(path: Buffer, name: Buffer, meta: EntryMetadata): Promise<TreeNode | null> {
    const saved = await saveFile(path, meta, {
      sink: this.options.sink, workers: this.options.workers, cache: this.options.cache,
      readBlockSize: this.options.readBlockSize ?? 2 * 1024 * 1024,
      onWarning: (w) => this.warn(w),
      onBytes: (n) => {
        this.progress.bytesRead += n;
        this.summary.bytesRead += n;
      },
    });
    if (!saved) return null;
    if (saved.status === 'new') this.summary.filesNew += 1;
    else if (saved.status === 'changed') this.summary.filesChanged += 1;
    else this.summary.filesUnchanged += 1;
    this.progress.files += 1;
    this.options.onProgress?.(this.progress);
    const node = { ...this.baseNode(name, saved.metadata, 'file'), size: saved.size };
    if (saved.content.length <= MAX_CONTENT_IDS_PER_NODE) return { ...node, content: saved.content };
    const lists: BlobId[] = [];
    for (let i = 0; i < saved.content.length; i += MAX_CONTENT_IDS_PER_NODE) {
      lists.push(await this.saveTreeBlob(encodeContentList(saved.content.slice(i, i + MAX_CONTENT_IDS_PER_NODE))));
    }
    return { ...node, contentLists: lists };
  }

  private async saveTreePages(nodes: readonly TreeNode[]): Promise<BlobId[]> {
    const ids: BlobId[] = [];
    for (const page of paginateTree(nodes)) ids.push(await this.saveTreeBlob(page));
    return ids;
  }

  /** The root tree must be a single blob: the snapshot names one tree id. */
  private async saveTree(nodes: readonly TreeNode[]): Promise<BlobId> {
    const pages = await this.saveTreePages(nodes);
    if (pages.length !== 1) throw new RangeError('the root of a snapshot must fit one tree page');
    return pages[0]!;
  }

  private async saveTreeBlob(bytes: Buffer): Promise<BlobId> {
    const id = this.options.sink.blobIdOf(BlobType.tree, bytes);
    await this.options.sink.add(BlobType.tree, id, bytes);
    return bytesToId('blob', id);
  }
}
