/**
 * Restore: walk a snapshot's trees, recreate directories, files, links and
 * special files in a target, then metadata (directories after their
 * children). Every data blob is verified against its id as it is opened; a
 * file whose blobs cannot be loaded fails by name and the rest go on.
 */
import { unlink } from 'node:fs/promises';
import { CofferError, describe, IntegrityError, throwIfAborted, type Warning } from '../errors.js';
import type { BlobId, TreeNode } from '../format/index.js';
import { displayPath, type Excluder, type RestoreTarget } from '../source/index.js';
import { fileContent, readDirectory, snapshotPath, type TreeBlobSource } from '../walker/index.js';
import { Semaphore } from '../semaphore.js';
import { settleLater } from '../settle-later.js';

/** What restore needs from the repository. */
export interface RestoreSource extends TreeBlobSource {
  loadDataBlob(id: BlobId, signal?: AbortSignal): Promise<Buffer>;
}

export interface RestoreOptions {
  readonly source: RestoreSource;
  readonly target: RestoreTarget;
  /** Restore only entries matching these (and the directories leading to them). */
  readonly include?: Excluder;
  readonly exclude?: Excluder;
  readonly overwrite?: boolean;
  readonly onWarning?: (warning: Warning) => void;
  readonly onProgress?: (progress: RestoreProgress) => void;
  readonly signal?: AbortSignal;
  readonly fileConcurrency?: number;
}

export interface RestoreProgress { files: number; bytes: number; currentPath: string }

export interface RestoreFailure { readonly path: string; readonly error: CofferError | Error }

export interface RestoreResult {
  files: number;
  dirs: number;
  bytes: number;
  failures: RestoreFailure[];
}

export class Restorer {
  private readonly result: RestoreResult = { files: 0, dirs: 0, bytes: 0, failures: [] };
  private readonly progress: RestoreProgress = { files: 0, bytes: 0, currentPath: '' };
  /** First restored name of each hard-linked inode; registered before writing so concurrent names wait for it. */
  private readonly hardLinks = new Map<string, Promise<Buffer[] | null>>();
  private readonly files: Semaphore;

  constructor(private readonly options: RestoreOptions) {
    this.files = new Semaphore(options.fileConcurrency ?? 4);
  }

  async run(root: BlobId): Promise<RestoreResult> {
    await this.restoreDirectory([root], [], false);
    return this.result;
  }

  /** Restores a directory's children; returns true if anything was restored below it. */
  private async restoreDirectory(subtree: readonly BlobId[], prefix: Buffer[], parentIncluded: boolean): Promise<boolean> {
    const { source, signal } = this.options;
    const nodes = await readDirectory(source, subtree, signal);
    const pending: Promise<boolean>[] = [];
    for (const node of nodes) {
      throwIfAborted(signal);
      const rel = [...prefix, node.name];
      const path = snapshotPath(rel);
      const isDir = node.type === 'dir';
      if (this.options.exclude?.excludes(path, isDir)) continue;
      const included = parentIncluded || !this.options.include || this.options.include.excludes(path, isDir);
      if (isDir) {
        pending.push(Promise.resolve(await this.restoreDirectoryNode(node, rel, included)));
      } else if (included) {
        await this.ensureParents(prefix);
        if (node.type === 'file') {
          await this.files.acquire();
          pending.push(settleLater(this.restoreFile(node, rel).finally(() => this.files.release())));
        } else {
          pending.push(settleLater(this.restoreOther(node, rel)));
        }
      }
    }
    return (await Promise.all(pending)).some(Boolean);
  }

  private async restoreDirectoryNode(node: TreeNode, rel: Buffer[], included: boolean): Promise<boolean> {
    if (included) await this.ensureParents(rel);
    const restoredBelow = await this.restoreDirectory(node.subtree ?? [], rel, included);
    if (!included && !restoredBelow) return false;
    this.result.dirs += 1;
    await this.options.target.applyMetadata(rel, { ...node, mtimeNs: node.mtime }, this.options.signal);
    return true;
  }

  private readonly created = new Set<string>();

  /** Creates `rel` and its parents (once each). */
  private async ensureParents(rel: readonly Buffer[]): Promise<void> {
    for (let i = 1; i <= rel.length; i++) {
      const key = snapshotPath(rel.slice(0, i)).toString('latin1');
      if (this.created.has(key)) continue;
      await this.options.target.makeDirectory(rel.slice(0, i), { overwrite: this.options.overwrite, signal: this.options.signal });
      this.created.add(key);
    }
  }

  private async restoreFile(node: TreeNode, rel: Buffer[]): Promise<boolean> {
    const { target, source, signal } = this.options;
    const shown = displayPath(snapshotPath(rel));
    this.progress.currentPath = shown;
    const linkKey = node.links && node.links > 1 ? `${node.device}:${node.inode}` : undefined;
    const earlier = linkKey ? this.hardLinks.get(linkKey) : undefined;
    let settleFirst: ((rel: Buffer[] | null) => void) | undefined;
    if (linkKey && !earlier) this.hardLinks.set(linkKey, new Promise((resolve) => { settleFirst = resolve; }));
    const firstName = earlier ? await earlier : null;
    try {
      if (firstName) {
        await target.makeHardLink(rel, firstName, { overwrite: this.options.overwrite, signal });
      } else {
        const size = node.size ?? 0;
        const file = await target.createFile(rel, { size, overwrite: this.options.overwrite, signal });
        try {
          let offset = 0;
          for (const id of await fileContent(source, node, signal)) {
            const data = await source.loadDataBlob(id, signal);
            await file.write(offset, data, signal);
            offset += data.length;
            this.progress.bytes += data.length;
            this.result.bytes += data.length;
          }
          if (offset !== size) throw new IntegrityError(`${shown}: content is ${offset} bytes, the snapshot says ${size}`);
          await file.finish(signal);
        } catch (error) {
          await file.close();
          await unlink(target.pathOf(rel)).catch(() => undefined); // never leave a partial file that looks restored
          throw error;
        }
        settleFirst?.(rel);
      }
      await target.applyMetadata(rel, { ...node, mtimeNs: node.mtime }, signal);
      this.result.files += 1;
      this.progress.files += 1;
      this.options.onProgress?.(this.progress);
      return true;
    } catch (error) {
      settleFirst?.(null); // later names of this inode write their own copy
      if (error instanceof CofferError && error.code === 'ABORTED') throw error;
      this.fail(shown, error); // includes RESTORE_EXISTS: the existing file is kept, the rest go on
      return false;
    }
  }

  private async restoreOther(node: TreeNode, rel: Buffer[]): Promise<boolean> {
    const { target, signal } = this.options;
    const options = { overwrite: this.options.overwrite, signal };
    try {
      if (node.type === 'symlink') {
        await target.makeSymlink(rel, node.target ?? Buffer.alloc(0), options);
      } else if (!(await target.makeSpecial(rel, node.type as 'fifo', node.mode, node.rdev ?? 0, options))) {
        return false;
      }
      await target.applyMetadata(rel, { ...node, mtimeNs: node.mtime }, signal);
      this.result.files += 1;
      return true;
    } catch (error) {
      if (error instanceof CofferError && error.code === 'ABORTED') throw error;
      this.fail(displayPath(snapshotPath(rel)), error);
      return false;
    }
  }

  private fail(path: string, error: unknown): void {
    const exists = error instanceof CofferError && error.code === 'RESTORE_EXISTS';
    const failure = exists
      ? new CofferError('RESTORE_EXISTS', 'already exists in the target, kept (use --overwrite to replace it)', { cause: error })
      : error instanceof Error ? error : new Error(describe(error));
    this.result.failures.push({ path, error: failure });
    this.options.onWarning?.({ code: 'RESTORE_FAILED', message: `${path}: ${failure.message}`, path });
  }
}
