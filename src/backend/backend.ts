/**
 * The storage contract. A backend stores opaque named objects and never sees
 * keys or plaintext. Names are relative paths made of [a-z0-9/_-] segments,
 * for example `config`, `keys/<hex>`, `data/ab/<hex>`; the repository decides
 * the layout (docs/format.md, "Layout").
 *
 * Every implementation MUST:
 * - `save`: store `data` under `name` only if no object has that name
 *   (save-if-absent); return 'saved' if it wrote, 'exists' if an object was
 *   already there (its bytes are left untouched). A reader MUST never observe a
 *   partly written object under `name` (write elsewhere, then rename/commit).
 *   The object MUST be durable when the promise resolves (fsync or the
 *   service's acknowledgement).
 * - `load`: return the whole object, or `length` bytes from `offset` when a
 *   range is given. A range reaching past the end returns the bytes that
 *   exist; an offset at or past the end returns no bytes. A missing object
 *   MUST throw NotFoundError.
 * - `stat`: size in bytes and the storage's own modification time (used for
 *   safety windows, never the client's clock). Missing: NotFoundError.
 * - `list`: every object whose name starts with `prefix`, each exactly once,
 *   in no particular order, including objects in nested "folders". Errors
 *   (abort, bad prefix, storage failures) surface while iterating.
 * - `remove`: delete the object. Missing: NotFoundError.
 * - map every failure to NotFoundError or BackendError (transient or
 *   permanent), naming the operation and the object, in one function.
 * - honour `signal`: reject with AbortedError once it fires. An aborted
 *   `save` leaves either nothing or the complete object.
 * - refuse names outside the rules above with a permanent BackendError
 *   (`checkName` in object-name.ts), never touching anything else.
 *
 * An implementation MAY:
 * - refuse `remove` (immutable storage) with a permanent BackendError;
 * - store data packs (names under `data/`) in a colder storage tier when
 *   configured to (storage-tier.ts); every other object stays in the default;
 * - return listed objects in any order and with sizes of 0 when unknown.
 */
export interface Backend {
  /** Human-readable location, without credentials. */
  readonly location: string;
  save(name: string, data: Uint8Array, options?: OperationOptions): Promise<'saved' | 'exists'>;
  load(name: string, options?: LoadOptions): Promise<Buffer>;
  stat(name: string, options?: OperationOptions): Promise<ObjectInfo>;
  list(prefix: string, options?: OperationOptions): AsyncIterable<ListedObject>;
  remove(name: string, options?: OperationOptions): Promise<void>;
  /** Releases connections or servers; idempotent. */
  close(): Promise<void>;
}

export interface OperationOptions {
  readonly signal?: AbortSignal;
}

export interface LoadOptions extends OperationOptions {
  readonly range?: { readonly offset: number; readonly length: number };
}

export interface ObjectInfo {
  readonly size: number;
  readonly modified: Date;
}

export interface ListedObject {
  readonly name: string;
  readonly size: number;
}
