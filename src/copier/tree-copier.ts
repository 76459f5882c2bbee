/**
 * Copies one snapshot's tree into another repository. The target has its
 * own ID key and its own keyed chunker, so blob ids and chunk boundaries
 * both differ: file contents are read from the source (every blob verified
 * against its id as it is opened), cut again with the target's chunker and
 * stored under the target's ids. The copy is then exactly what a backup of
 * the same files into the target would store, so it deduplicates against
 * everything the target already holds, copies and direct backups alike
 * (README "Copies"). Trees are rebuilt with the new ids; all metadata is kept.
 *
 * A parent pair (an earlier source snapshot and its copy in the target)
 * saves the reading: a directory whose source pages are unchanged reuses
 * the copy's pages, and an unchanged file reuses the copy's content, so
 * only new or changed files are read from the source.
 */
import { Chunker, type ChunkerParams } from '../chunker/index.js';
import { IntegrityError, throwIfAborted } from '../errors.js';
import { BlobType, bytesToId, type BlobId, type TreeNode } from '../format/index.js';
import { displayPath } from '../source/index.js';
import { fileContent, readDirectory, snapshotPath, type TreeBlobSource } from '../walker/index.js';
import { contentFields, saveTreePages, withoutContent } from './tree-pages.js';

/** The source repository: trees and verified data blobs. */
export interface CopySource extends TreeBlobSource {
  loadDataBlob(id: BlobId, signal?: AbortSignal): Promise<Buffer>;
}

/** The target repository as the copier sees it. */
export interface CopyTarget extends TreeBlobSource {
  readonly chunker: ChunkerParams;
  readonly gear: Uint32Array;
  blobIdOf(type: BlobType, data: Uint8Array): Buffer;
  /** True if the target holds the blob or is storing it. */
  knows(id: Buffer): boolean;
  add(type: BlobType, id: Buffer, data: Buffer): Promise<boolean>;
}

/** An earlier copy: the source snapshot's root tree and the target snapshot's root tree made from it. */
export interface CopiedPair {
  readonly source: BlobId;
  readonly target: BlobId;
}

export interface CopyProgress {
  files: number;
  dirs: number;
  /** Files whose content was reused from the parent copy without reading it. */
  filesReused: number;
  /** Directories whose pages were reused whole from the parent copy (their files are not counted above). */
  dirsReused: number;
  /** Plaintext bytes read from the source. */
  bytesRead: number;
  currentPath: string;
}

interface PagePair {
  readonly source: readonly BlobId[];
  readonly target: readonly BlobId[];
}

export class TreeCopier {
  readonly progress: CopyProgress = { files: 0, dirs: 0, filesReused: 0, dirsReused: 0, bytesRead: 0, currentPath: '' };

  constructor(
    private readonly source: CopySource,
    private readonly target: CopyTarget,
    private readonly options: { readonly onProgress?: (p: CopyProgress) => void; readonly signal?: AbortSignal } = {},
  ) {}

  /** Copies the tree below `root` and returns the target's root tree id. */
  async copy(root: BlobId, parent?: CopiedPair): Promise<BlobId> {
    const pages = await this.directory([root], parent && { source: [parent.source], target: [parent.target] }, []);
    if (pages.length !== 1) throw new RangeError('the root of a snapshot must fit one tree page');
    return pages[0]!;
  }

  private async directory(subtree: readonly BlobId[], parent: PagePair | undefined, path: readonly Buffer[]): Promise<BlobId[]> {
    throwIfAborted(this.options.signal);
    if (parent && sameIds(subtree, parent.source) && parent.target.every((id) => this.target.knows(Buffer.from(id, 'hex')))) {
      this.progress.dirsReused += 1;
      return [...parent.target];
    }
    const nodes = await readDirectory(this.source, subtree, this.options.signal);
    const before = parent ? await this.parentNodes(parent) : undefined;
    const copied: TreeNode[] = [];
    for (const node of nodes) {
      const key = node.name.toString('latin1');
      const was = before?.source.get(key);
      const wasCopiedAs = before?.target.get(key);
      const childPath = [...path, node.name];
      if (node.type === 'dir') {
        this.progress.dirs += 1;
        const childParent = was?.type === 'dir' && wasCopiedAs?.type === 'dir'
          ? { source: was.subtree ?? [], target: wasCopiedAs.subtree ?? [] } : undefined;
        copied.push({ ...node, subtree: await this.directory(node.subtree ?? [], childParent, childPath) });
      } else if (node.type === 'file') {
        copied.push(await this.file(node, was, wasCopiedAs, childPath));
      } else {
        copied.push(node);
      }
    }
    return saveTreePages(this.storeTree, copied);
  }

  /** The parent's nodes by name, source side and target side; none if the target side cannot be read. */
  private async parentNodes(parent: PagePair): Promise<{ source: Map<string, TreeNode>; target: Map<string, TreeNode> } | undefined> {
    const byName = (nodes: TreeNode[]) => new Map(nodes.map((n) => [n.name.toString('latin1'), n]));
    let target: TreeNode[];
    try {
      target = await readDirectory(this.target, parent.target, this.options.signal);
    } catch {
      // A damaged earlier copy is no reason to fail this one: copy without its help.
      throwIfAborted(this.options.signal);
      return undefined;
    }
    return { source: byName(await readDirectory(this.source, parent.source, this.options.signal)), target: byName(target) };
  }

  private async file(node: TreeNode, was: TreeNode | undefined, wasCopiedAs: TreeNode | undefined, path: readonly Buffer[]): Promise<TreeNode> {
    const shown = displayPath(snapshotPath(path));
    this.progress.currentPath = shown;
    this.progress.files += 1;
    if (was && wasCopiedAs && sameContent(node, was) && wasCopiedAs.type === 'file' && wasCopiedAs.size === node.size
      && contentIdsOf(wasCopiedAs).every((id) => this.target.knows(Buffer.from(id, 'hex')))) {
      this.progress.filesReused += 1;
      this.options.onProgress?.(this.progress);
      const reused = wasCopiedAs.contentLists ? { contentLists: wasCopiedAs.contentLists } : { content: wasCopiedAs.content ?? [] };
      return { ...withoutContent(node), ...reused };
    }
    const chunker = new Chunker(this.target.chunker, this.target.gear);
    const content: BlobId[] = [];
    let size = 0;
    const store = async (chunk: Buffer) => {
      const id = this.target.blobIdOf(BlobType.data, chunk);
      content.push(bytesToId('blob', id));
      size += chunk.length;
      await this.target.add(BlobType.data, id, chunk);
    };
    for (const id of await fileContent(this.source, node, this.options.signal)) {
      const data = await this.source.loadDataBlob(id, this.options.signal);
      this.progress.bytesRead += data.length;
      for (const chunk of chunker.push(data)) await store(chunk);
      this.options.onProgress?.(this.progress);
    }
    for (const chunk of chunker.end()) await store(chunk);
    if (size !== node.size) throw new IntegrityError(`${shown}: content is ${size} bytes, the source snapshot says ${node.size}`);
    return { ...withoutContent(node), ...(await contentFields(this.storeTree, content)) };
  }

  private readonly storeTree = async (bytes: Buffer): Promise<BlobId> => {
    const id = this.target.blobIdOf(BlobType.tree, bytes);
    await this.target.add(BlobType.tree, id, bytes);
    return bytesToId('blob', id);
  };
}

function sameIds(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  return a !== undefined && b !== undefined && a.length === b.length && a.every((id, i) => id === b[i]);
}

/** Same content in the source: the same data blob ids inline, or the same content lists. */
function sameContent(a: TreeNode, b: TreeNode): boolean {
  if (b.type !== 'file' || a.size !== b.size) return false;
  return a.content ? sameIds(a.content, b.content) : sameIds(a.contentLists, b.contentLists);
}

/** The ids a file node names directly: its data blobs, or its content lists (whose blobs a stored list vouches for). */
function contentIdsOf(node: TreeNode): readonly BlobId[] {
  return node.contentLists ?? node.content ?? [];
}
