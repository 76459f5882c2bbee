/**
 * Directory trees as the benchmark sees them: listing, total size, and the
 * byte-for-byte comparison that verifies every restore.
 */
import { lstat, open, readdir } from 'node:fs/promises';
import { join } from 'node:path';

export interface TreeEntry {
  readonly kind: 'file' | 'dir' | 'other';
  readonly size: number;
}

/** Every entry below `root` by '/'-separated relative path (the root itself excluded). */
export async function listTree(root: string): Promise<Map<string, TreeEntry>> {
  const out = new Map<string, TreeEntry>();
  const visit = async (dir: string, prefix: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const rel = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
      const full = join(dir, entry.name);
      if (entry.isDirectory()) {
        out.set(rel, { kind: 'dir', size: 0 });
        await visit(full, rel);
      } else if (entry.isFile()) {
        out.set(rel, { kind: 'file', size: (await lstat(full)).size });
      } else out.set(rel, { kind: 'other', size: 0 });
    }
  };
  await visit(root, '');
  return out;
}

/** Sum of the sizes of all files below `root` (apparent size, like `du -sb` without directories). */
export async function treeBytes(root: string): Promise<number> {
  let total = 0;
  for (const entry of (await listTree(root)).values()) total += entry.size;
  return total;
}

/** A restore that does not match its source. */
export class TreeMismatch extends Error {
  override readonly name = 'TreeMismatch';
}

/**
 * Checks that `actual` holds exactly the entries of `expected`, every file
 * with the same bytes.
 *
 * @throws TreeMismatch naming the first few differences.
 */
export async function compareTrees(expected: string, actual: string): Promise<{ files: number; bytes: number }> {
  const [want, got] = await Promise.all([listTree(expected), listTree(actual)]);
  const problems: string[] = [];
  for (const [path, entry] of want) {
    const other = got.get(path);
    if (other === undefined) problems.push(`missing: ${path}`);
    else if (other.kind !== entry.kind) problems.push(`${path}: a ${other.kind}, expected a ${entry.kind}`);
    else if (other.size !== entry.size) problems.push(`${path}: ${other.size} bytes, expected ${entry.size}`);
  }
  for (const path of got.keys()) if (!want.has(path)) problems.push(`unexpected: ${path}`);
  if (problems.length > 0) throw mismatch(actual, problems);

  let files = 0;
  let bytes = 0;
  for (const [path, entry] of want) {
    if (entry.kind !== 'file') continue;
    const at = await firstDifference(join(expected, path), join(actual, path));
    if (at >= 0) problems.push(`${path}: content differs at byte ${at}`);
    files++;
    bytes += entry.size;
    if (problems.length >= 20) break;
  }
  if (problems.length > 0) throw mismatch(actual, problems);
  return { files, bytes };
}

function mismatch(actual: string, problems: readonly string[]): TreeMismatch {
  const shown = problems.slice(0, 20).join('\n  ');
  return new TreeMismatch(`restored tree ${actual} does not match its source (${problems.length}+ differences):\n  ${shown}`);
}

const BLOCK = 1024 * 1024;

/** Offset of the first differing byte of two files of equal size, or -1. */
async function firstDifference(a: string, b: string): Promise<number> {
  const [fa, fb] = await Promise.all([open(a, 'r'), open(b, 'r')]);
  try {
    const ba = Buffer.allocUnsafe(BLOCK);
    const bb = Buffer.allocUnsafe(BLOCK);
    for (let pos = 0; ; pos += BLOCK) {
      const [ra, rb] = await Promise.all([fa.read(ba, 0, BLOCK, pos), fb.read(bb, 0, BLOCK, pos)]);
      const n = Math.min(ra.bytesRead, rb.bytesRead);
      if (ba.compare(bb, 0, n, 0, n) !== 0) {
        for (let i = 0; i < n; i++) if (ba[i] !== bb[i]) return pos + i;
      }
      if (ra.bytesRead !== rb.bytesRead) return pos + n;
      if (n < BLOCK) return -1;
    }
  } finally {
    await Promise.all([fa.close(), fb.close()]);
  }
}
