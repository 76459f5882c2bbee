/**
 * `dump`: a file of a snapshot as its bytes, or a directory as a tar stream
 * (tar-header.ts), written to an output that applies backpressure. Data
 * blobs are loaded one at a time and verified against their ids as restore
 * does; nothing larger than one blob (plus the repository's small pack
 * cache) is held, whatever the size of the file or tree.
 *
 * A failure stops the dump: a file's bytes are not padded over, and a tar
 * stream is left without its end marker, so whatever reads it sees a
 * truncated stream rather than an archive that looks whole.
 */
import { IntegrityError, throwIfAborted, type Warning } from '../errors.js';
import type { BlobId, TreeNode } from '../format/index.js';
import { displayPath } from '../source/index.js';
import { fileContent, readDirectory, snapshotPath } from '../walker/index.js';
import type { RestoreSource } from './restorer.js';
import { encodeTarHeader, splitDeviceNumber, TAR_END, tarPadding, type TarEntryType } from './tar-header.js';

/** Where dumped bytes go; `write` resolves when more may be written. */
export interface DumpOutput {
  write(bytes: Buffer): Promise<void>;
}

export interface DumpOptions {
  readonly source: RestoreSource;
  readonly output: DumpOutput;
  readonly onWarning?: (warning: Warning) => void;
  readonly signal?: AbortSignal;
}

export interface DumpResult { files: number; dirs: number; bytes: number }

/** Writes a file node's content; returns its length. */
export async function dumpFile(node: TreeNode, path: readonly Buffer[], options: DumpOptions): Promise<number> {
  const { source, output, signal } = options;
  let written = 0;
  for (const id of await fileContent(source, node, signal)) {
    throwIfAborted(signal);
    const data = await source.loadDataBlob(id, signal);
    await output.write(data);
    written += data.length;
  }
  if (written !== (node.size ?? 0)) {
    throw new IntegrityError(`${displayPath(snapshotPath(path))}: content is ${written} bytes, the snapshot says ${node.size ?? 0}`);
  }
  return written;
}

/**
 * Writes a tar archive of `top` (the node at `path`) and, for a directory,
 * everything below it, members named by their path in the snapshot without
 * the leading `/`. For the whole snapshot pass `top` undefined, `path` []
 * and the root tree as `subtree`.
 */
export async function dumpTar(
  subtree: readonly BlobId[], top: TreeNode | undefined, path: readonly Buffer[], options: DumpOptions,
): Promise<DumpResult> {
  const result: DumpResult = { files: 0, dirs: 0, bytes: 0 };
  const firstNames = new Map<string, Buffer>();
  const { source, output, signal } = options;

  const member = (rel: readonly Buffer[]) => snapshotPath(rel).subarray(1);
  const header = (node: TreeNode, rel: readonly Buffer[], type: TarEntryType, extra: { size?: number; linkTarget?: Buffer } = {}) => {
    const device = node.type === 'chardev' || node.type === 'blockdev' ? splitDeviceNumber(node.rdev ?? 0) : undefined;
    return output.write(encodeTarHeader({
      path: member(rel), type, mode: node.mode, uid: node.uid, gid: node.gid, mtime: node.mtime,
      devMajor: device?.major, devMinor: device?.minor, ...extra,
    }));
  };

  const visit = async (node: TreeNode, rel: readonly Buffer[]): Promise<void> => {
    throwIfAborted(signal);
    switch (node.type) {
      case 'dir':
        await header(node, rel, 'dir');
        result.dirs += 1;
        for (const child of await readDirectory(source, node.subtree ?? [], signal)) await visit(child, [...rel, child.name]);
        return;
      case 'file': {
        const key = node.links && node.links > 1 ? `${node.device}:${node.inode}` : undefined;
        const first = key ? firstNames.get(key) : undefined;
        if (first) {
          await header(node, rel, 'link', { linkTarget: first });
        } else {
          if (key) firstNames.set(key, member(rel));
          const size = node.size ?? 0;
          await header(node, rel, 'file', { size });
          await dumpFile(node, rel, options);
          await output.write(tarPadding(size));
          result.bytes += size;
        }
        result.files += 1;
        return;
      }
      case 'symlink':
        await header(node, rel, 'symlink', { linkTarget: node.target ?? Buffer.alloc(0) });
        result.files += 1;
        return;
      case 'fifo':
      case 'chardev':
      case 'blockdev':
        await header(node, rel, node.type);
        result.files += 1;
        return;
      case 'socket': {
        // tar has no socket type (and only a listening program can recreate one).
        const shown = displayPath(snapshotPath(rel));
        options.onWarning?.({ code: 'DUMP_SKIPPED', message: `${shown}: socket skipped (tar cannot hold one)`, path: shown });
      }
    }
  };

  if (top) await visit(top, path);
  else for (const child of await readDirectory(source, subtree, signal)) await visit(child, [...path, child.name]);
  await output.write(TAR_END);
  return result;
}
