/**
 * Forget record JSON (docs/format.md "Forget records"): the snapshots the
 * owner deleted on purpose, so that `check` can tell a deliberate deletion
 * from storage deleting or hiding a snapshot. Signed by the owner key and
 * sealed to the read key; this module handles the JSON only.
 */
import type { Buffer } from 'node:buffer';
import { FormatError } from '../errors.js';
import type { RepositoryId, SnapshotId } from './ids.js';
import { encodeJson, JsonFields, parseJson } from './json-fields.js';
import { formatTimeNs } from './time.js';

/** One deleted snapshot, with its place in its signer's chain. */
export interface ForgottenSnapshot {
  readonly id: SnapshotId;
  /** The snapshot's signer (Ed25519 public key). */
  readonly signer: Buffer;
  readonly sequence: number;
}

/** A forget record, field for field as its JSON. */
export interface ForgetRecord {
  readonly format: 1;
  readonly repository: RepositoryId;
  /** When the owner decided the deletion, nanoseconds since the epoch. */
  readonly time: bigint;
  /** At least one; ids unique. */
  readonly snapshots: readonly ForgottenSnapshot[];
}

const RECORD_KEYS = ['format', 'repository', 'time', 'snapshots'] as const;
const SNAPSHOT_KEYS = ['id', 'signer', 'sequence'] as const;

/** The record's JSON, keys in the spec's order; throws a FormatError for a record the decoder would refuse. */
export function encodeForgetRecordJson(record: ForgetRecord): Buffer {
  const json = {
    format: record.format,
    repository: record.repository,
    time: formatTimeNs(record.time),
    snapshots: record.snapshots.map((s) => ({ id: s.id, signer: s.signer.toString('hex'), sequence: s.sequence })),
  };
  forgetRecordFromJson(json);
  return encodeJson(json);
}

/** Decodes and validates forget record JSON. */
export function decodeForgetRecordJson(bytes: Uint8Array): ForgetRecord {
  return forgetRecordFromJson(parseJson(bytes, 'forget record'));
}

function forgetRecordFromJson(value: unknown): ForgetRecord {
  const f = JsonFields.of(value, 'forget record', RECORD_KEYS);
  const format = f.integer('format', 0, Number.MAX_SAFE_INTEGER);
  if (format !== 1) throw new FormatError(`forget record: unknown format ${format} (this coffer reads format 1)`);
  const seen = new Set<string>();
  const snapshots = f.objects('snapshots', SNAPSHOT_KEYS).map((s): ForgottenSnapshot => {
    const id = s.id('id', 'snapshot');
    if (seen.has(id)) s.fail('id', 'is listed twice');
    seen.add(id);
    return { id, signer: s.hex32('signer'), sequence: s.integer('sequence', 1, Number.MAX_SAFE_INTEGER) };
  });
  if (snapshots.length === 0) f.fail('snapshots', 'must not be empty');
  return { format, repository: f.id('repository', 'repository'), time: f.time('time'), snapshots };
}
