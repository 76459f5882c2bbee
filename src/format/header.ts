/**
 * The 6-byte object header (docs/format.md "Object header"):
 * magic "cofr" || u8(version) || u8(object type).
 */
import { Buffer } from 'node:buffer';
import { FormatError } from '../errors.js';

/** Object types, byte 5 of the header. */
export const ObjectType = {
  config: 0x01,
  dataPack: 0x02,
  treePack: 0x03,
  index: 0x04,
  snapshot: 0x05,
  signers: 0x06,
  gcPlan: 0x07,
  tombstone: 0x08,
  clockProbe: 0x09,
  forgotten: 0x0a,
} as const;
export type ObjectType = (typeof ObjectType)[keyof typeof ObjectType];

/** The format version this code reads and writes. */
export const FORMAT_VERSION = 1;
/** Length of the object header. */
export const HEADER_LENGTH = 6;

const MAGIC = Buffer.from('cofr', 'ascii');
const TYPE_NAMES: Record<number, string> = {
  [ObjectType.config]: 'config',
  [ObjectType.dataPack]: 'data pack',
  [ObjectType.treePack]: 'tree pack',
  [ObjectType.index]: 'index',
  [ObjectType.snapshot]: 'snapshot',
  [ObjectType.signers]: 'signer set',
  [ObjectType.gcPlan]: 'gc plan',
  [ObjectType.tombstone]: 'tombstone',
  [ObjectType.clockProbe]: 'clock probe',
  [ObjectType.forgotten]: 'forget record',
};

/** The name of an object type, for messages ("data pack"). */
export function objectTypeName(type: number): string {
  return TYPE_NAMES[type] ?? `unknown object type ${type}`;
}

/** The header of an object of `type`. */
export function encodeHeader(type: ObjectType): Buffer {
  const out = Buffer.alloc(HEADER_LENGTH);
  MAGIC.copy(out, 0);
  out[4] = FORMAT_VERSION;
  out[5] = type;
  return out;
}

/**
 * Checks the header at the start of `bytes` (which may continue past it):
 * the magic, the version, and that the type is `expectedType`, the type of
 * the place the object was found in.
 */
export function decodeHeader(bytes: Uint8Array, expectedType: ObjectType): void {
  if (bytes.length < HEADER_LENGTH) {
    throw new FormatError(`truncated object header (${bytes.length} of ${HEADER_LENGTH} bytes)`);
  }
  if (!MAGIC.equals(bytes.subarray(0, 4))) {
    throw new FormatError(`unknown magic ${Buffer.from(bytes.subarray(0, 4)).toString('hex')} (not a coffer object)`);
  }
  const version = bytes[4] as number;
  if (version !== FORMAT_VERSION) {
    throw new FormatError(`unknown format version ${version} (this coffer reads version ${FORMAT_VERSION})`);
  }
  const type = bytes[5] as number;
  if (type !== expectedType) {
    const found = TYPE_NAMES[type] === undefined ? `unknown object type ${type}` : `${TYPE_NAMES[type]} (type ${type})`;
    throw new FormatError(`expected ${objectTypeName(expectedType)} object, found ${found}`);
  }
}
