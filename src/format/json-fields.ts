/**
 * Strict reading of the JSON structures (trees, snapshots, configuration,
 * signer sets, key files): UTF-8 only, parse errors wrapped, unknown keys
 * refused (a reader that skipped them would silently drop data), and every
 * field type- and range-checked with a message naming the field.
 * Internal to format/.
 */
import { Buffer, isUtf8 } from 'node:buffer';
import { describe, FormatError } from '../errors.js';
import { asBuffer } from './byte-reader.js';
import { isHexId, type IdKind, type IdKinds } from './ids.js';
import { tryParseTimeNs } from './time.js';

const LONE_SURROGATE = /\p{Cs}/u;

/** Whether `text` has no unpaired surrogate, so it survives UTF-8 exactly. */
export function isWellFormed(text: string): boolean {
  return !LONE_SURROGATE.test(text);
}

/** Whether `n` is 2^k for an integer k >= 0. */
export function isPowerOfTwo(n: number): boolean {
  return Number.isSafeInteger(n) && n > 0 && 2 ** Math.round(Math.log2(n)) === n;
}

/** Parses UTF-8 JSON; any failure is a FormatError naming `what`. */
export function parseJson(bytes: Uint8Array, what: string): unknown {
  const buffer = asBuffer(bytes);
  if (!isUtf8(buffer)) throw new FormatError(`${what}: not valid utf-8`);
  try {
    return JSON.parse(buffer.toString('utf8'));
  } catch (error) {
    throw new FormatError(`${what}: invalid json (${describe(error)})`, { cause: error });
  }
}

/** `value` as UTF-8 JSON text. */
export function encodeJson(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value), 'utf8');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The fields of one JSON object; `what` names the structure and `path` the object within it. */
export class JsonFields {
  private constructor(
    private readonly fields: Record<string, unknown>,
    readonly what: string,
    readonly path: string,
  ) {}

  /** `value`, which must be an object whose keys are all in `allowed`. */
  static of(value: unknown, what: string, allowed: readonly string[], path = ''): JsonFields {
    const where = path === '' ? '' : ` ${path.replace(/[.:]\s*$/, '')}`;
    if (!isObject(value)) throw new FormatError(`${what}:${where} must be a json object`);
    for (const key of Object.keys(value)) {
      if (!allowed.includes(key)) throw new FormatError(`${what}: ${path}unknown field ${JSON.stringify(key)}`);
    }
    return new JsonFields(value, what, path);
  }

  fail(key: string, problem: string): never {
    throw new FormatError(`${this.what}: ${this.path}${key} ${problem}`);
  }

  has(key: string): boolean {
    return Object.hasOwn(this.fields, key);
  }

  value(key: string): unknown {
    if (!this.has(key)) this.fail(key, 'is missing');
    return this.fields[key];
  }

  string(key: string): string {
    return this.checkString(key, this.value(key));
  }

  nonEmptyString(key: string): string {
    const value = this.string(key);
    if (value === '') this.fail(key, 'must not be empty');
    return value;
  }

  integer(key: string, min: number, max: number): number {
    const value = this.value(key);
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) this.fail(key, 'must be an integer');
    if (value < min || value > max) this.fail(key, `must be between ${min} and ${max}`);
    return value;
  }

  boolean(key: string): boolean {
    const value = this.value(key);
    if (typeof value !== 'boolean') this.fail(key, 'must be true or false');
    return value;
  }

  /** One of `values`, compared with ===. */
  oneOf<T extends string | number>(key: string, values: readonly T[]): T {
    const value = this.value(key);
    if (!values.includes(value as T)) {
      this.fail(key, `must be ${values.map((v) => JSON.stringify(v)).join(' or ')}, not ${JSON.stringify(value)}`);
    }
    return value as T;
  }

  time(key: string): bigint {
    const ns = tryParseTimeNs(this.string(key));
    if (ns === undefined) this.fail(key, 'must be an rfc 3339 utc time');
    return ns;
  }

  nullableTime(key: string): bigint | null {
    return this.value(key) === null ? null : this.time(key);
  }

  id<K extends IdKind>(key: string, _kind: K): IdKinds[K] {
    const value = this.value(key);
    if (!isHexId(value)) this.fail(key, 'must be 64 lowercase hex digits');
    return value as IdKinds[K];
  }

  nullableId<K extends IdKind>(key: string, kind: K): IdKinds[K] | null {
    return this.value(key) === null ? null : this.id(key, kind);
  }

  /** An array of at most `max` ids. */
  ids<K extends IdKind>(key: string, _kind: K, max = Number.POSITIVE_INFINITY): IdKinds[K][] {
    const values = this.array(key);
    if (values.length > max) this.fail(key, `has ${values.length} ids, more than ${max}`);
    values.forEach((value, i) => {
      if (!isHexId(value)) this.fail(`${key}[${i}]`, 'must be 64 lowercase hex digits');
    });
    return values as IdKinds[K][];
  }

  /** 32 bytes written as 64 lowercase hex digits (keys and writer roots). */
  hex32(key: string): Buffer {
    const value = this.value(key);
    if (!isHexId(value)) this.fail(key, 'must be 64 lowercase hex digits');
    return Buffer.from(value, 'hex');
  }

  /** Canonical, padded standard base64; of exactly `length` bytes when given. */
  base64(key: string, length?: number): Buffer {
    const text = this.string(key);
    const bytes = Buffer.from(text, 'base64');
    if (bytes.toString('base64') !== text) this.fail(key, 'must be canonical base64');
    if (length !== undefined && bytes.length !== length) this.fail(key, `must hold ${length} bytes, not ${bytes.length}`);
    return bytes;
  }

  array(key: string): unknown[] {
    const value = this.value(key);
    if (!Array.isArray(value)) this.fail(key, 'must be an array');
    return value;
  }

  strings(key: string): string[] {
    return this.array(key).map((value, i) => this.checkString(`${key}[${i}]`, value));
  }

  object(key: string, allowed: readonly string[]): JsonFields {
    return JsonFields.of(this.value(key), this.what, allowed, `${this.path}${key}.`);
  }

  objects(key: string, allowed: readonly string[]): JsonFields[] {
    return this.array(key).map((value, i) => JsonFields.of(value, this.what, allowed, `${this.path}${key}[${i}].`));
  }

  private checkString(key: string, value: unknown): string {
    if (typeof value !== 'string') this.fail(key, 'must be a string');
    if (!isWellFormed(value)) this.fail(key, 'must be valid unicode (it holds an unpaired surrogate)');
    return value;
  }
}
