/**
 * Snapshot JSON (docs/format.md "Snapshots and signer sets"). The JSON is
 * signed with the signer's key and sealed to the read key; this module
 * handles the JSON only.
 */
import type { Buffer } from 'node:buffer';
import { FormatError } from '../errors.js';
import type { BlobId, RepositoryId, SnapshotId } from './ids.js';
import { encodeJson, JsonFields, parseJson } from './json-fields.js';
import { formatTimeNs } from './time.js';

/** What a backup did, for display. */
export interface SnapshotSummary {
  readonly filesNew: number;
  readonly filesChanged: number;
  readonly filesUnchanged: number;
  readonly dirs: number;
  readonly bytesRead: number;
  readonly bytesAdded: number;
  readonly packsAdded: number;
  readonly warnings: number;
  readonly durationMs: number;
}

/** A snapshot, field for field as its JSON. */
export interface Snapshot {
  readonly format: 1;
  /** When the backup started, nanoseconds since the epoch. */
  readonly time: bigint;
  /** The root tree blob. */
  readonly tree: BlobId;
  readonly paths: readonly string[];
  readonly hostname: string;
  readonly username: string;
  readonly tags: readonly string[];
  /** The dedup domain the backup wrote in. */
  readonly domain: string;
  /** The signer's Ed25519 public key; MUST equal the key that signed the snapshot (the caller checks). */
  readonly signer: Buffer;
  /** Counts this signer's snapshots from 1. */
  readonly sequence: number;
  /** The signer's previous snapshot: null exactly when sequence is 1. */
  readonly previous: SnapshotId | null;
  /** True when some sources could not be read. */
  readonly incomplete: boolean;
  readonly program: string;
  readonly summary: SnapshotSummary;
  /** Present only in a copy (`coffer copy`): the snapshot it was copied from. */
  readonly original?: SnapshotOrigin;
}

/** Where a copied snapshot came from: the source repository and the source snapshot's id. */
export interface SnapshotOrigin {
  readonly repository: RepositoryId;
  readonly snapshot: SnapshotId;
}

const SNAPSHOT_KEYS = [
  'format', 'time', 'tree', 'paths', 'hostname', 'username', 'tags', 'domain', 'signer', 'sequence', 'previous',
  'incomplete', 'program', 'summary', 'original',
] as const;
const ORIGIN_KEYS = ['repository', 'snapshot'] as const;
const SUMMARY_KEYS = [
  'filesNew', 'filesChanged', 'filesUnchanged', 'dirs', 'bytesRead', 'bytesAdded', 'packsAdded', 'warnings',
  'durationMs',
] as const;

/** The snapshot's JSON, keys in the spec's order; throws a FormatError for a snapshot the decoder would refuse. */
export function encodeSnapshotJson(snapshot: Snapshot): Buffer {
  const json = {
    format: snapshot.format,
    time: formatTimeNs(snapshot.time),
    tree: snapshot.tree,
    paths: snapshot.paths,
    hostname: snapshot.hostname,
    username: snapshot.username,
    tags: snapshot.tags,
    domain: snapshot.domain,
    signer: snapshot.signer.toString('hex'),
    sequence: snapshot.sequence,
    previous: snapshot.previous,
    incomplete: snapshot.incomplete,
    program: snapshot.program,
    summary: Object.fromEntries(SUMMARY_KEYS.map((key) => [key, snapshot.summary[key]])),
    ...(snapshot.original ? { original: { repository: snapshot.original.repository, snapshot: snapshot.original.snapshot } } : {}),
  };
  snapshotFromJson(json);
  return encodeJson(json);
}

/** Decodes and validates snapshot JSON. */
export function decodeSnapshotJson(bytes: Uint8Array): Snapshot {
  return snapshotFromJson(parseJson(bytes, 'snapshot'));
}

function snapshotFromJson(value: unknown): Snapshot {
  const f = JsonFields.of(value, 'snapshot', SNAPSHOT_KEYS);
  const format = f.integer('format', 0, Number.MAX_SAFE_INTEGER);
  if (format !== 1) throw new FormatError(`snapshot: unknown format ${format} (this coffer reads format 1)`);
  const paths = f.strings('paths');
  paths.forEach((path, i) => {
    if (path === '') f.fail(`paths[${i}]`, 'must not be empty');
  });
  const sequence = f.integer('sequence', 1, Number.MAX_SAFE_INTEGER);
  const previous = f.nullableId('previous', 'snapshot');
  if ((sequence === 1) !== (previous === null)) f.fail('previous', 'must be null exactly when sequence is 1');
  const s = f.object('summary', SUMMARY_KEYS);
  const count = (key: (typeof SUMMARY_KEYS)[number]): number => s.integer(key, 0, Number.MAX_SAFE_INTEGER);
  let original: SnapshotOrigin | undefined;
  if (f.has('original')) {
    const o = f.object('original', ORIGIN_KEYS);
    original = { repository: o.id('repository', 'repository'), snapshot: o.id('snapshot', 'snapshot') };
  }
  return {
    format,
    time: f.time('time'),
    tree: f.id('tree', 'blob'),
    paths,
    hostname: f.string('hostname'),
    username: f.string('username'),
    tags: f.strings('tags'),
    domain: f.nonEmptyString('domain'),
    signer: f.hex32('signer'),
    sequence,
    previous,
    incomplete: f.boolean('incomplete'),
    program: f.string('program'),
    summary: {
      filesNew: count('filesNew'),
      filesChanged: count('filesChanged'),
      filesUnchanged: count('filesUnchanged'),
      dirs: count('dirs'),
      bytesRead: count('bytesRead'),
      bytesAdded: count('bytesAdded'),
      packsAdded: count('packsAdded'),
      warnings: count('warnings'),
      durationMs: count('durationMs'),
    },
    ...(original ? { original } : {}),
  };
}
