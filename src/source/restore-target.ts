import { constants, linkSync, lstatSync, mkdirSync, openSync, symlinkSync, unlinkSync } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { CofferError, FormatError, NotFoundError, UsageError, throwIfAborted, type Warning } from '../errors.js';
import { applyEntryMetadata, type RestoreMetadata } from './apply-metadata.js';
import { displayPath, joinPath, joinPaths, toBytes } from './byte-path.js';
import { RestoreFile, type FileBlock, type RestoreFileStats } from './restore-file.js';
import { errorCode } from './source-warning.js';
import { createSpecialNode } from './special-node.js';

/** An entry is in the way and overwriting was not asked for (or it is a directory). */
export class RestoreExistsError extends CofferError {
  readonly path: string;
  constructor(path: string, message = `${path}: already exists`) {
    super('RESTORE_EXISTS', message);
    this.path = path;
  }
}

/**
 * Throws FormatError unless `name` can be one component of a path: not
 * empty, not `.` or `..`, no `/` and no NUL. Snapshots are untrusted, and
 * these are the names that would reach outside the restore target.
 */
export function validateName(name: Buffer): void {
  const bad = name.length === 0 || name.includes(0x2f) || name.includes(0) || name.equals(DOT) || name.equals(DOTDOT);
  if (bad) throw new FormatError(`invalid file name "${displayPath(name)}" in snapshot`);
}

const DOT = Buffer.from('.');
const DOTDOT = Buffer.from('..');

/** Options shared by the operations that create an entry. */
export interface CreateOptions {
  /** Replace an existing entry that is not a directory. Default false: RESTORE_EXISTS. */
  readonly overwrite?: boolean;
  readonly signal?: AbortSignal;
}

/** Options for {@link RestoreTarget.createFile}. */
export interface CreateFileOptions extends CreateOptions {
  /** Final length of the file. */
  readonly size: number;
}

/** Options for {@link RestoreTarget.writeFile}. */
export interface WriteFileOptions extends CreateFileOptions {
  readonly blocks: AsyncIterable<FileBlock> | Iterable<FileBlock>;
}

/** Options for {@link RestoreTarget.open}. */
export interface RestoreTargetOptions {
  /** Receives RESTORE_OWNERSHIP and RESTORE_SPECIAL_SKIPPED warnings. */
  readonly onWarning?: (warning: Warning) => void;
  /** Set owners from the snapshot; default: when running as root. */
  readonly ownership?: boolean;
  readonly signal?: AbortSignal;
}

/**
 * The directory a snapshot is restored into, safe against hostile snapshots:
 * paths are built only from components that pass {@link validateName}; each
 * parent directory is checked with lstat to be a real directory (not a
 * symlink) before anything is created in it; final components are created
 * exclusively (O_EXCL, link, mkdir), never opened through an existing entry;
 * and directories are never removed or replaced, so a parent once checked
 * stays safe for the rest of the restore.
 *
 * Entries are addressed by `rel`, their path below the root as a list of
 * names. The caller creates a directory before its children, and applies
 * each directory's metadata ({@link applyMetadata}) after all its children
 * are written, since creating children changes the directory's mtime (and a
 * read-only mode would forbid them).
 */
export class RestoreTarget {
  readonly root: Buffer;
  /** Whether {@link applyMetadata} sets owners. */
  readonly ownership: boolean;
  readonly #onWarning: (warning: Warning) => void;
  /** Relative directories known to be real directories, keyed by their latin1 path. */
  readonly #checked = new Set<string>(['']);
  #ownershipWarned = false;

  private constructor(root: Buffer, options: RestoreTargetOptions) {
    this.root = root;
    this.ownership = options.ownership ?? process.geteuid?.() === 0;
    this.#onWarning = options.onWarning ?? (() => undefined);
  }

  /** Opens (creating it and its parents if missing) the directory to restore into. */
  static async open(root: string | Buffer, options: RestoreTargetOptions = {}): Promise<RestoreTarget> {
    throwIfAborted(options.signal);
    const path = toBytes(root);
    await mkdir(path, { recursive: true, mode: 0o700 }).catch((error: unknown) => {
      if (errorCode(error) !== 'EEXIST') throw error; // a file in the way: reported below
    });
    if (!(await stat(path)).isDirectory()) throw new UsageError(`restore target ${displayPath(path)} is not a directory`);
    return new RestoreTarget(path, options);
  }

  /** The absolute path of `rel`, after validating every component (parents are not checked). */
  pathOf(rel: readonly Buffer[]): Buffer {
    for (const name of rel) validateName(name);
    return joinPaths(this.root, rel);
  }

  /**
   * Creates a directory (mode 0700 until its metadata is applied). An existing
   * directory is accepted; an existing symlink or other entry is an error, or
   * with `overwrite` is replaced.
   */
  async makeDirectory(rel: readonly Buffer[], options: CreateOptions = {}): Promise<void> {
    if (rel.length === 0) return;
    const path = await this.#prepare(rel, options.signal);
    try {
      mkdirSync(path, 0o700);
    } catch (error) {
      if (errorCode(error) !== 'EEXIST') throw error;
      if (!lstatSync(path).isDirectory()) {
        if (!options.overwrite) throw new RestoreExistsError(displayPath(path), `${displayPath(path)}: exists and is not a directory`);
        unlinkSync(path);
        mkdirSync(path, 0o700);
      }
    }
    this.#checked.add(key(rel));
  }

  /**
   * Creates an empty regular file (mode 0600 until its metadata is applied)
   * to be filled with {@link RestoreFile.write}; see {@link RestoreFile} for
   * sparseness. Nothing is fsynced.
   */
  async createFile(rel: readonly Buffer[], options: CreateFileOptions): Promise<RestoreFile> {
    const path = await this.#prepare(rel, options.signal);
    const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
    const fd = await this.#exclusive(path, options.overwrite, () => openSync(path, flags, 0o600));
    return new RestoreFile(fd, options.size, displayPath(path));
  }

  /** Creates a file and writes `blocks` into it; all-zero blocks become holes. */
  async writeFile(rel: readonly Buffer[], options: WriteFileOptions): Promise<RestoreFileStats> {
    const file = await this.createFile(rel, options);
    try {
      for await (const block of options.blocks) await file.write(block.offset, block.data, options.signal);
      return await file.finish(options.signal);
    } finally {
      await file.close();
    }
  }

  /** Creates a symlink holding `target` verbatim (it is never followed here). */
  async makeSymlink(rel: readonly Buffer[], target: Buffer, options: CreateOptions = {}): Promise<void> {
    const path = await this.#prepare(rel, options.signal);
    if (target.length === 0 || target.includes(0)) throw new FormatError(`${displayPath(path)}: invalid symlink target`);
    await this.#exclusive(path, options.overwrite, () => symlinkSync(target, path));
  }

  /** Creates `rel` as another name of the already restored `existingRel`. */
  async makeHardLink(rel: readonly Buffer[], existingRel: readonly Buffer[], options: CreateOptions = {}): Promise<void> {
    const existing = await this.#prepare(existingRel, options.signal);
    const path = await this.#prepare(rel, options.signal);
    await this.#exclusive(path, options.overwrite, () => linkSync(existing, path));
  }

  /**
   * Creates a FIFO, or a device node when running as root. Returns false,
   * after a `RESTORE_SPECIAL_SKIPPED` warning, for sockets (which only a
   * listening program can create), for devices when not root, and when the
   * mkfifo or mknod command fails.
   */
  async makeSpecial(
    rel: readonly Buffer[],
    type: 'fifo' | 'socket' | 'chardev' | 'blockdev',
    mode: number,
    rdev: number,
    options: CreateOptions = {},
  ): Promise<boolean> {
    const path = await this.#prepare(rel, options.signal);
    const shown = displayPath(path);
    const skip = (why: string): boolean => {
      this.#onWarning({ code: 'RESTORE_SPECIAL_SKIPPED', message: `${shown}: ${why}`, path: shown });
      return false;
    };
    if (type === 'socket') return skip('sockets are not restored');
    if (type !== 'fifo' && process.geteuid?.() !== 0) return skip('device nodes are restored only as root');
    const directory = joinPaths(this.root, rel.slice(0, -1));
    let temporary: Buffer;
    try {
      temporary = joinPath(directory, await createSpecialNode(directory, type, mode, rdev, options.signal));
    } catch (error) {
      if (error instanceof CofferError) throw error;
      return skip(error instanceof Error ? error.message : String(error));
    }
    try {
      await this.#exclusive(path, options.overwrite, () => linkSync(temporary, path));
    } finally {
      unlinkSync(temporary);
    }
    return true;
  }

  /**
   * Sets owner (when {@link ownership}), mode and times; see
   * {@link applyEntryMetadata}. Apply a directory's metadata only after all
   * its children are written. When ownership is off and the snapshot's owner
   * differs from ours, one RESTORE_OWNERSHIP warning is given per target.
   */
  async applyMetadata(rel: readonly Buffer[], meta: RestoreMetadata, signal?: AbortSignal): Promise<void> {
    const path = await this.#prepare(rel, signal);
    const shown = displayPath(path);
    if (!this.ownership && !this.#ownershipWarned && (meta.uid !== process.geteuid?.() || meta.gid !== process.getegid?.())) {
      this.#ownershipWarned = true;
      this.#onWarning({ code: 'RESTORE_OWNERSHIP', message: 'not running as root: file owners are not restored', path: shown });
    }
    await applyEntryMetadata(path, shown, meta, { apply: this.ownership, onWarning: this.#onWarning });
  }

  /** Validates `rel`, checks that its parents are real directories, and returns its path. */
  async #prepare(rel: readonly Buffer[], signal: AbortSignal | undefined): Promise<Buffer> {
    throwIfAborted(signal);
    const path = this.pathOf(rel);
    for (let depth = 1; depth < rel.length; depth += 1) {
      const parent = rel.slice(0, depth);
      const parentKey = key(parent);
      if (this.#checked.has(parentKey)) continue;
      const parentPath = joinPaths(this.root, parent);
      let isDirectory: boolean;
      try {
        isDirectory = lstatSync(parentPath).isDirectory();
      } catch (error) {
        if (errorCode(error) === 'ENOENT') throw new NotFoundError(`${displayPath(parentPath)}: directory not restored yet`);
        throw error;
      }
      if (!isDirectory) throw new RestoreExistsError(displayPath(parentPath), `${displayPath(parentPath)}: not a directory`);
      this.#checked.add(parentKey);
    }
    return path;
  }

  /**
   * Runs `create`, which fails with EEXIST if something is at `path`; with
   * `overwrite`, removes that entry (never a directory) and tries once more.
   */
  async #exclusive<T>(path: Buffer, overwrite: boolean | undefined, create: () => T): Promise<T> {
    try {
      return create();
    } catch (error) {
      if (errorCode(error) !== 'EEXIST') throw error;
      if (!overwrite) throw new RestoreExistsError(displayPath(path));
    }
    if (lstatSync(path).isDirectory()) {
      throw new RestoreExistsError(displayPath(path), `${displayPath(path)}: a directory is in the way`);
    }
    unlinkSync(path);
    try {
      return create();
    } catch (error) {
      if (errorCode(error) === 'EEXIST') throw new RestoreExistsError(displayPath(path));
      throw error;
    }
  }
}

function key(rel: readonly Buffer[]): string {
  return rel.map((name) => name.toString('latin1')).join('/');
}
