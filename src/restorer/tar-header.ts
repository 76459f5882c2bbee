/**
 * Tar headers for `dump` (POSIX.1-2001 pax interchange format): a ustar
 * header per entry, preceded by a pax extended header ('x') whenever a value
 * does not fit ustar exactly: long or non-ASCII paths and link targets
 * (`path`, `linkpath`, with `hdrcharset=BINARY` when the bytes are not
 * UTF-8, so GNU tar and bsdtar restore them byte for byte), times with
 * nanoseconds or before 1970 (`mtime`), sizes of 8 GiB and more (`size`),
 * large ids (`uid`, `gid`) and device numbers (`SCHILY.devmajor/devminor`).
 *
 * Written here rather than with tar-stream because tar-stream builds pax
 * records from JavaScript strings (UTF-8), so a name that is not UTF-8
 * could not be written as the bytes it is.
 */
import { isUtf8 } from 'node:buffer';

export const TAR_BLOCK = 512;

/** Two zero blocks end an archive. */
export const TAR_END = Buffer.alloc(2 * TAR_BLOCK);

export type TarEntryType = 'file' | 'link' | 'symlink' | 'chardev' | 'blockdev' | 'dir' | 'fifo';

const TYPEFLAG: Record<TarEntryType, string> = { file: '0', link: '1', symlink: '2', chardev: '3', blockdev: '4', dir: '5', fifo: '6' };

/** One archive member's header fields. */
export interface TarEntry {
  /** Relative, `/`-separated path (a directory's trailing `/` is added here). */
  readonly path: Buffer;
  readonly type: TarEntryType;
  /** Permission bits, `mode & 0o7777`. */
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  /** Modification time, nanoseconds since the epoch. */
  readonly mtime: bigint;
  /** Bytes of content that follow the header (files only). */
  readonly size?: number;
  /** A symlink's target, or a hard link's earlier member path. */
  readonly linkTarget?: Buffer;
  readonly devMajor?: number;
  readonly devMinor?: number;
}

const NS = 1_000_000_000n;
const MAX_OCTAL_7 = 0o7777777;
const MAX_OCTAL_11 = 0o77777777777;

/** The header blocks of `entry`: a pax extended header when needed, then the ustar header. */
export function encodeTarHeader(entry: TarEntry): Buffer {
  const pax: [string, Buffer][] = [];
  const path = entry.type === 'dir' && entry.path[entry.path.length - 1] !== 0x2f
    ? Buffer.concat([entry.path, Buffer.from('/')]) : entry.path;
  const split = splitUstarPath(path);
  if (!split) pax.push(['path', path]);
  const link = entry.linkTarget ?? Buffer.alloc(0);
  if (link.length > 100 || !isPlainAscii(link)) pax.push(['linkpath', link]);
  const size = entry.size ?? 0;
  if (size > MAX_OCTAL_11) pax.push(['size', Buffer.from(String(size))]);
  const seconds = floorDiv(entry.mtime, NS);
  if (entry.mtime % NS !== 0n || seconds < 0n || seconds > BigInt(MAX_OCTAL_11)) pax.push(['mtime', Buffer.from(paxTime(entry.mtime))]);
  if (entry.uid > MAX_OCTAL_7) pax.push(['uid', Buffer.from(String(entry.uid))]);
  if (entry.gid > MAX_OCTAL_7) pax.push(['gid', Buffer.from(String(entry.gid))]);
  const devMajor = entry.devMajor ?? 0;
  const devMinor = entry.devMinor ?? 0;
  if (devMajor > MAX_OCTAL_7) pax.push(['SCHILY.devmajor', Buffer.from(String(devMajor))]);
  if (devMinor > MAX_OCTAL_7) pax.push(['SCHILY.devminor', Buffer.from(String(devMinor))]);
  if (pax.some(([key, value]) => (key === 'path' || key === 'linkpath') && !isUtf8(value))) pax.unshift(['hdrcharset', Buffer.from('BINARY')]);

  const clampedSeconds = seconds < 0n ? 0 : Number(seconds > BigInt(MAX_OCTAL_11) ? BigInt(MAX_OCTAL_11) : seconds);
  const ustar = ustarBlock({
    name: split?.name ?? path.subarray(0, 100),
    prefix: split?.prefix ?? Buffer.alloc(0),
    mode: entry.mode & 0o7777,
    uid: Math.min(entry.uid, MAX_OCTAL_7),
    gid: Math.min(entry.gid, MAX_OCTAL_7),
    size: Math.min(size, MAX_OCTAL_11),
    mtime: clampedSeconds,
    typeflag: TYPEFLAG[entry.type],
    linkname: link.subarray(0, 100),
    devMajor: Math.min(devMajor, MAX_OCTAL_7),
    devMinor: Math.min(devMinor, MAX_OCTAL_7),
  });
  if (pax.length === 0) return ustar;
  const records = Buffer.concat(pax.map(([key, value]) => paxRecord(key, value)));
  const paxHeader = ustarBlock({
    name: Buffer.from('PaxHeaders/entry'), prefix: Buffer.alloc(0), mode: 0o644, uid: 0, gid: 0,
    size: records.length, mtime: clampedSeconds, typeflag: 'x', linkname: Buffer.alloc(0), devMajor: 0, devMinor: 0,
  });
  return Buffer.concat([paxHeader, records, tarPadding(records.length), ustar]);
}

/** Zero bytes that fill `size` bytes of content up to a whole block. */
export function tarPadding(size: number): Buffer {
  return Buffer.alloc((TAR_BLOCK - (size % TAR_BLOCK)) % TAR_BLOCK);
}

/** Linux's split of a device number (glibc's gnu_dev_major/minor). */
export function splitDeviceNumber(rdev: number): { major: number; minor: number } {
  const dev = BigInt(rdev);
  const major = ((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn);
  const minor = (dev & 0xffn) | ((dev >> 12n) & ~0xffn);
  return { major: Number(major), minor: Number(minor) };
}

interface UstarFields {
  name: Buffer; prefix: Buffer; mode: number; uid: number; gid: number; size: number; mtime: number;
  typeflag: string; linkname: Buffer; devMajor: number; devMinor: number;
}

function ustarBlock(f: UstarFields): Buffer {
  const block = Buffer.alloc(TAR_BLOCK);
  f.name.copy(block, 0);
  octal(block, 100, 8, f.mode);
  octal(block, 108, 8, f.uid);
  octal(block, 116, 8, f.gid);
  octal(block, 124, 12, f.size);
  octal(block, 136, 12, f.mtime);
  block.write(f.typeflag, 156, 'latin1');
  f.linkname.copy(block, 157);
  block.write('ustar\x0000', 257, 'latin1');
  octal(block, 329, 8, f.devMajor);
  octal(block, 337, 8, f.devMinor);
  f.prefix.copy(block, 345);
  // The checksum is computed with its own field read as eight spaces.
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return block;
}

/** Writes `value` as zero-padded octal digits and a NUL in a field of `length` bytes. */
function octal(block: Buffer, offset: number, length: number, value: number): void {
  block.write(`${value.toString(8).padStart(length - 1, '0')}\0`, offset, 'latin1');
}

/** `name` (at most 100 bytes) and `prefix` (at most 155) joined by `/` give `path`; undefined if impossible or not plain ASCII. */
function splitUstarPath(path: Buffer): { name: Buffer; prefix: Buffer } | undefined {
  if (!isPlainAscii(path)) return undefined;
  if (path.length <= 100) return { name: path, prefix: Buffer.alloc(0) };
  // Split at a `/` (not a directory's trailing one) so the name fits; the prefix must fit too.
  for (let at = path.lastIndexOf(0x2f, path.length - 2); at > 0; at = path.lastIndexOf(0x2f, at - 1)) {
    if (path.length - at - 1 > 100) return undefined;
    if (at <= 155) return { name: path.subarray(at + 1), prefix: path.subarray(0, at) };
  }
  return undefined;
}

/** Printable ASCII only: anything else goes into pax records, where readers expect it. */
function isPlainAscii(bytes: Buffer): boolean {
  return bytes.every((b) => b >= 0x20 && b < 0x7f);
}

/** `"<length> <key>=<value>\n"`, where length counts the whole record, its own digits included. */
function paxRecord(key: string, value: Buffer): Buffer {
  const rest = Buffer.byteLength(key) + value.length + 3; // space, '=', newline
  let length = rest + String(rest).length;
  if (String(length).length !== String(rest).length) length = rest + String(length).length;
  return Buffer.concat([Buffer.from(`${length} ${key}=`), value, Buffer.from('\n')]);
}

/** Seconds since the epoch with nine fractional digits; negative times keep their sign (`-1.500000000`). */
function paxTime(ns: bigint): string {
  const sign = ns < 0n ? '-' : '';
  const abs = ns < 0n ? -ns : ns;
  return `${sign}${abs / NS}.${(abs % NS).toString().padStart(9, '0')}`;
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && (a < 0n) !== (b < 0n) ? q - 1n : q;
}
