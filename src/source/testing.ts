/**
 * Test helpers for every folder: build a file tree from an object literal
 * ({@link makeTree}), describe a tree for comparison ({@link readTree}), and
 * run code in a temporary directory ({@link withTempDir}).
 *
 * ```ts
 * await makeTree(dir, {
 *   'a.txt': 'hello',                                   // a file
 *   sub: { 'b.bin': Buffer.from([0, 1]) },              // a directory
 *   run: file('#!/bin/sh\n', { mode: 0o755, mtimeNs: 1_700_000_000_123_456_000n }),
 *   link: symlink('a.txt'),
 *   same: hardlink('a.txt'),                            // another name of a.txt
 *   raw: dir([[Buffer.from([0x66, 0xff]), 'bytes']]),   // a name that is not UTF-8
 * });
 * assert.deepEqual(await readTree(restored), await readTree(dir));
 * ```
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import * as fs from 'node:fs/promises';
import { chmod, link, lstat, lutimes, mkdir, mkdtemp, readlink, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { displayPath, joinPath, joinPaths, toBytes } from './byte-path.js';
import { listDirectory } from './list-directory.js';
import { metadataFromStats, type EntryType } from './metadata.js';
import { createSpecialNode } from './special-node.js';
import { toUtimeSeconds } from './timestamp.js';

const SPEC: unique symbol = Symbol('coffer.tree-entry');

/** Mode and time for an entry; times should be whole microseconds to round-trip (see toUtimeSeconds). */
export interface EntryOptions {
  readonly mode?: number;
  readonly mtimeNs?: bigint;
}

/** One entry of a tree spec, built with {@link file}, {@link dir}, {@link symlink}, {@link hardlink}, {@link fifo}. */
export type EntrySpec =
  | { readonly [SPEC]: true; readonly type: 'file'; readonly content: Buffer; readonly size?: number; readonly options: EntryOptions }
  | { readonly [SPEC]: true; readonly type: 'dir'; readonly entries: TreeSpec; readonly options: EntryOptions }
  | { readonly [SPEC]: true; readonly type: 'symlink'; readonly target: Buffer; readonly options: EntryOptions }
  | { readonly [SPEC]: true; readonly type: 'hardlink'; readonly to: readonly Buffer[] }
  | { readonly [SPEC]: true; readonly type: 'fifo'; readonly options: EntryOptions };

/** A string or Buffer is a file's content; an object or array is a directory. */
export type EntryInput = string | Buffer | EntrySpec | TreeSpec;

/** A directory's entries: an object by name, or `[name, entry]` pairs when names are raw bytes. */
export type TreeSpec =
  | { readonly [name: string]: EntryInput }
  | ReadonlyArray<readonly [string | Buffer, EntryInput]>;

/** A regular file; `size` beyond the content extends it with a hole. */
export function file(content: string | Buffer = '', options: EntryOptions & { size?: number } = {}): EntrySpec {
  return { [SPEC]: true, type: 'file', content: toBytes(content), size: options.size, options };
}
export function dir(entries: TreeSpec = {}, options: EntryOptions = {}): EntrySpec {
  return { [SPEC]: true, type: 'dir', entries, options };
}
export function symlink(target: string | Buffer, options: { mtimeNs?: bigint } = {}): EntrySpec {
  return { [SPEC]: true, type: 'symlink', target: toBytes(target), options };
}
/** Another name for the file at `to`: a '/'-separated path from the tree's root, or its components. */
export function hardlink(to: string | readonly (string | Buffer)[]): EntrySpec {
  const parts = typeof to === 'string' ? to.split('/').filter((part) => part !== '') : to;
  return { [SPEC]: true, type: 'hardlink', to: parts.map(toBytes) };
}
export function fifo(options: EntryOptions = {}): EntrySpec {
  return { [SPEC]: true, type: 'fifo', options };
}

/**
 * Creates the entries of `spec` below `root` (created if missing). Modes
 * default to 0644 for files and FIFOs and 0755 for directories, whatever the
 * umask; times are set last, directories after their children.
 */
export async function makeTree(root: string | Buffer, spec: TreeSpec): Promise<void> {
  const rootPath = toBytes(root);
  await mkdir(rootPath, { recursive: true });
  const links: Array<[Buffer, readonly Buffer[]]> = [];
  const finish: Array<() => Promise<void>> = [];
  await create(rootPath, spec, links, finish);
  for (const [path, target] of links) await link(joinPaths(rootPath, target), path);
  for (const step of finish) await step();
}

async function create(
  path: Buffer,
  spec: TreeSpec,
  links: Array<[Buffer, readonly Buffer[]]>,
  finish: Array<() => Promise<void>>): Promise<void> {
  for (const [name, input] of entriesOf(spec)) {
    if (name.length === 0 || name.includes(0x2f)) throw new Error(`bad name in tree spec: ${displayPath(name)}`);
    const child = joinPath(path, name);
    const entry = toSpec(input);
    switch (entry.type) {
      case 'file':
        await writeFile(child, entry.content);
        if (entry.size !== undefined) await truncate(child, entry.size);
        finish.push(() => settle(child, entry.options.mode ?? 0o644, entry.options.mtimeNs));
        break;
      case 'dir':
        await mkdir(child);
        await create(child, entry.entries, links, finish);
        finish.push(() => settle(child, entry.options.mode ?? 0o755, entry.options.mtimeNs));
        break;
      case 'symlink':
        await fs.symlink(entry.target, child);
        finish.push(() => settle(child, undefined, entry.options.mtimeNs));
        break;
      case 'hardlink':
        links.push([child, entry.to]);
        break;
      case 'fifo': {
        const temporary = joinPath(path, await createSpecialNode(path, 'fifo', 0o600, 0));
        await link(temporary, child);
        await rm(temporary);
        finish.push(() => settle(child, entry.options.mode ?? 0o644, entry.options.mtimeNs));
        break;
      }
    }
  }
}

function entriesOf(spec: TreeSpec): Array<[Buffer, EntryInput]> {
  if (Array.isArray(spec)) return (spec as ReadonlyArray<readonly [string | Buffer, EntryInput]>).map(([n, e]) => [toBytes(n), e]);
  return Object.entries(spec as { [name: string]: EntryInput }).map(([n, e]) => [Buffer.from(n), e]);
}

function toSpec(input: EntryInput): EntrySpec {
  if (typeof input === 'string' || Buffer.isBuffer(input)) return file(input);
  if (SPEC in input) return input as EntrySpec;
  return dir(input as TreeSpec);
}

async function settle(path: Buffer, mode: number | undefined, mtimeNs: bigint | undefined): Promise<void> {
  if (mode !== undefined) await chmod(path, mode);
  if (mtimeNs !== undefined) await lutimes(path, toUtimeSeconds(mtimeNs), toUtimeSeconds(mtimeNs));
}

/** How one entry looks to {@link readTree}. Fields that do not apply are absent. */
export interface EntryDescription {
  readonly type: EntryType;
  /** Permission bits (absent for symlinks, whose mode means nothing on Linux). */
  readonly mode?: number;
  readonly size?: number;
  /** SHA-256 of a regular file's content, hex. */
  readonly sha256?: string;
  /** A symlink's target, as {@link displayPath} shows it. */
  readonly target?: string;
  readonly mtimeNs?: bigint;
  /** For a file with several names in the tree: the first of them (in sorted order). */
  readonly hardLink?: string;
  readonly uid?: number;
  readonly gid?: number;
  readonly rdev?: number;
}

/** Entries by their path from the root, '/'-separated, each name as {@link displayPath} shows it. */
export type TreeDescription = Record<string, EntryDescription>;

/** What {@link readTree} includes besides type, mode, size, content and target. */
export interface ReadTreeOptions {
  /** Which modification times to include; default 'all'. */
  readonly mtimes?: 'all' | 'non-dirs' | 'none';
  /** Include uid and gid; default false. */
  readonly owner?: boolean;
}

/**
 * Describes the tree below `root` (the root itself excluded) so that two
 * trees compare with `assert.deepEqual`: type, mode, size, content hash,
 * symlink target, mtime, hard-link groups, and optionally owners.
 */
export async function readTree(root: string | Buffer, options: ReadTreeOptions = {}): Promise<TreeDescription> {
  const mtimes = options.mtimes ?? 'all';
  const found: Array<[string, EntryDescription, string | undefined]> = [];
  const names = new Map<string, string[]>();
  const visit = async (path: Buffer, shown: string): Promise<void> => {
    for (const name of await listDirectory(path)) {
      const child = joinPath(path, name);
      const key = shown === '' ? displayPath(name) : `${shown}/${displayPath(name)}`;
      const meta = metadataFromStats(await lstat(child, { bigint: true }));
      const description: { -readonly [K in keyof EntryDescription]: EntryDescription[K] } = { type: meta.type };
      if (meta.type !== 'symlink') description.mode = meta.mode;
      if (meta.type === 'file') {
        description.size = meta.size;
        description.sha256 = await hashFile(child);
      }
      if (meta.type === 'symlink') description.target = displayPath(await readlink(child, { encoding: 'buffer' }));
      if (meta.type === 'chardev' || meta.type === 'blockdev') description.rdev = meta.rdev;
      if (mtimes === 'all' || (mtimes === 'non-dirs' && meta.type !== 'dir')) description.mtimeNs = meta.mtimeNs;
      if (options.owner) {
        description.uid = meta.uid;
        description.gid = meta.gid;
      }
      let inode: string | undefined;
      if (meta.type !== 'dir' && meta.links > 1) {
        inode = `${meta.device}:${meta.inode}`;
        names.set(inode, [...(names.get(inode) ?? []), key]);
      }
      found.push([key, description, inode]);
      if (meta.type === 'dir') await visit(child, key);
    }
  };
  await visit(toBytes(root), '');
  const tree: TreeDescription = {};
  for (const [key, description, inode] of found) {
    const group = inode === undefined ? [] : (names.get(inode) ?? []);
    tree[key] = group.length > 1 ? { ...description, hardLink: [...group].sort()[0] } : description;
  }
  return tree;
}

async function hashFile(path: Buffer): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Runs `fn` with a fresh directory under the system's temporary directory
 * and removes it afterwards, also when it holds unreadable directories.
 */
export async function withTempDir<T>(fn: (path: string) => Promise<T>, prefix = 'coffer-test-'): Promise<T> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  try {
    return await fn(path);
  } finally {
    await removeTree(path);
  }
}

/** Removes a tree, first making its directories writable if a plain removal is refused. */
export async function removeTree(path: string | Buffer): Promise<void> {
  try {
    await rm(path, { recursive: true, force: true });
  } catch {
    await makeWritable(toBytes(path));
    await rm(path, { recursive: true, force: true });
  }
}

async function makeWritable(path: Buffer): Promise<void> {
  const stats = await lstat(path);
  if (!stats.isDirectory()) return;
  await chmod(path, 0o700);
  for (const name of await listDirectory(path)) await makeWritable(joinPath(path, name));
}
