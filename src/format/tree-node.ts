/**
 * One node of a tree (docs/format.md "Trees"): its fields in memory, and its
 * JSON form with keys in the spec's order. Names and symlink targets are raw
 * bytes in memory; in JSON they are strings when valid UTF-8, else base64 in
 * `nameBytes` / `targetBytes`.
 */
import { Buffer, isUtf8 } from 'node:buffer';
import { FormatError } from '../errors.js';
import type { BlobId } from './ids.js';
import { JsonFields } from './json-fields.js';
import { formatTimeNs } from './time.js';

/** Node types. */
export const NODE_TYPES = ['file', 'dir', 'symlink', 'fifo', 'socket', 'chardev', 'blockdev'] as const;
export type NodeType = (typeof NODE_TYPES)[number];

/** A file lists at most this many blob ids in `content`, and a content list at most this many. */
export const MAX_CONTENT_IDS_PER_NODE = 8192;

/** One directory entry, with the fields docs/format.md "Trees" lists. */
export interface TreeNode {
  /** The name's raw bytes. */
  readonly name: Buffer;
  readonly type: NodeType;
  /** Permission bits (`mode & 0o7777`). */
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  /** Modification time, nanoseconds since the epoch. */
  readonly mtime: bigint;
  /** file: length in bytes. */
  readonly size?: number;
  /** file: data blob ids, in order (at most 8192)... */
  readonly content?: readonly BlobId[];
  /** ...or the tree blobs listing them, for files of more than 8192 blobs. */
  readonly contentLists?: readonly BlobId[];
  /** dir: tree blob ids of the directory's pages, in order. */
  readonly subtree?: readonly BlobId[];
  /** symlink: the target's raw bytes. */
  readonly target?: Buffer;
  /** Non-directories with links > 1: device and inode as decimal strings, and the link count. */
  readonly device?: string;
  readonly inode?: string;
  readonly links?: number;
  /** chardev, blockdev: device number. */
  readonly rdev?: number;
}

const NODE_KEYS = [
  'name', 'nameBytes', 'type', 'mode', 'uid', 'gid', 'mtime', 'size', 'content', 'contentLists', 'subtree',
  'target', 'targetBytes', 'device', 'inode', 'links', 'rdev',
] as const;
const U32_MAX = 0xffffffff;
const U64_MAX = 2n ** 64n - 1n;
const DECIMAL = /^(?:0|[1-9][0-9]{0,19})$/;

/** Why `name` cannot be a node name (docs/format.md "Trees"), or undefined if it can. */
export function nameProblem(name: Uint8Array): string | undefined {
  if (name.length === 0) return 'is empty';
  if (name.length <= 2 && name.every((b) => b === 0x2e)) return `is ${JSON.stringify('.'.repeat(name.length))}`;
  if (name.includes(0x2f)) return 'contains "/"';
  if (name.includes(0)) return 'contains NUL';
  return undefined;
}

/** The JSON object of `node`, keys in the spec's order. Not validated: nodeFromJson does that. */
export function nodeToJson(node: TreeNode): Record<string, unknown> {
  const json: Record<string, unknown> = {};
  putBytes(json, 'name', node.name);
  json.type = node.type;
  json.mode = node.mode;
  json.uid = node.uid;
  json.gid = node.gid;
  json.mtime = formatTimeNs(node.mtime);
  const rest = { size: node.size, content: node.content, contentLists: node.contentLists, subtree: node.subtree };
  for (const [key, value] of Object.entries(rest)) if (value !== undefined) json[key] = value;
  if (node.target !== undefined) putBytes(json, 'target', node.target);
  const last = { device: node.device, inode: node.inode, links: node.links, rdev: node.rdev };
  for (const [key, value] of Object.entries(last)) if (value !== undefined) json[key] = value;
  return json;
}

function putBytes(json: Record<string, unknown>, key: string, bytes: Buffer): void {
  if (!Buffer.isBuffer(bytes)) throw new FormatError(`tree: ${key} must be a Buffer`);
  if (isUtf8(bytes)) json[key] = bytes.toString('utf8');
  else json[`${key}Bytes`] = bytes.toString('base64');
}

/** Validates the JSON of node number `index` and returns it in memory form. */
export function nodeFromJson(value: unknown, index: number): TreeNode {
  const f = JsonFields.of(value, 'tree', NODE_KEYS, `node ${index}: `);
  const name = readBytes(f, 'name');
  const problem = nameProblem(name);
  if (problem !== undefined) f.fail('name', problem);
  const type = f.oneOf('type', NODE_TYPES);
  const only = (key: string, allowed: boolean): boolean => {
    if (!allowed && f.has(key)) f.fail(key, `is not allowed for a ${type}`);
    return allowed;
  };
  const node: { -readonly [K in keyof TreeNode]: TreeNode[K] } = {
    name,
    type,
    mode: f.integer('mode', 0, 0o7777),
    uid: f.integer('uid', 0, U32_MAX),
    gid: f.integer('gid', 0, U32_MAX),
    mtime: f.time('mtime'),
  };
  if (only('size', type === 'file')) node.size = f.integer('size', 0, Number.MAX_SAFE_INTEGER);
  if (only('content', type === 'file') && f.has('content')) {
    node.content = f.ids('content', 'blob', MAX_CONTENT_IDS_PER_NODE);
  }
  if (only('contentLists', type === 'file') && f.has('contentLists')) {
    node.contentLists = f.ids('contentLists', 'blob');
    if (node.contentLists.length === 0) f.fail('contentLists', 'must not be empty (an empty file has "content": [])');
  }
  if (type === 'file' && f.has('content') === f.has('contentLists')) {
    f.fail('content', 'or contentLists (exactly one) is required for a file');
  }
  if (only('subtree', type === 'dir')) node.subtree = f.ids('subtree', 'blob');
  if (type === 'symlink') node.target = readBytes(f, 'target');
  else ['target', 'targetBytes'].forEach((key) => only(key, false));
  if (type === 'dir') {
    ['device', 'inode', 'links'].forEach((key) => only(key, false));
  } else if (f.has('device') || f.has('inode') || f.has('links')) {
    node.device = decimal(f, 'device');
    node.inode = decimal(f, 'inode');
    node.links = f.integer('links', 2, U32_MAX);
  }
  if (only('rdev', type === 'chardev' || type === 'blockdev')) node.rdev = f.integer('rdev', 0, Number.MAX_SAFE_INTEGER);
  return node;
}

/** `key` as a string, or `${key}Bytes` as base64 of bytes that are not valid UTF-8: exactly one. */
function readBytes(f: JsonFields, key: string): Buffer {
  const bytesKey = `${key}Bytes`;
  if (f.has(key) === f.has(bytesKey)) f.fail(key, `or ${bytesKey} (exactly one) is required`);
  if (f.has(key)) return Buffer.from(f.string(key), 'utf8');
  const bytes = f.base64(bytesKey);
  if (isUtf8(bytes)) f.fail(bytesKey, `holds valid utf-8, which must be written as ${key}`);
  return bytes;
}

function decimal(f: JsonFields, key: string): string {
  const text = f.string(key);
  if (!DECIMAL.test(text) || BigInt(text) > U64_MAX) f.fail(key, 'must be a decimal string of a 64-bit number');
  return text;
}
