/**
 * Signer set JSON (docs/format.md "Snapshots and signer sets"): which signer
 * keys may sign snapshots and indexes. Signed by the owner key and sealed to
 * the read key; this module handles the JSON only.
 */
import type { Buffer } from 'node:buffer';
import { FormatError } from '../errors.js';
import type { RepositoryId, SnapshotId } from './ids.js';
import { encodeJson, JsonFields, parseJson } from './json-fields.js';
import { formatTimeNs } from './time.js';

/** Key roles (docs/format.md "Secrets and roles"). */
export const KEY_ROLES = ['full', 'write-only'] as const;
export type KeyRole = (typeof KEY_ROLES)[number];

/** One authorized (or revoked) signer. */
export interface SignerSetEntry {
  readonly name: string;
  /** Ed25519 public key. */
  readonly publicKey: Buffer;
  readonly role: KeyRole;
  readonly added: bigint;
  /** When the signer was revoked, or null. */
  readonly revoked: bigint | null;
  /**
   * For a revoked signer: its snapshots that still count, chosen by the owner
   * when revoking (those it had seen). Empty for a signer not revoked; stored
   * in the JSON only when `revoked` is set.
   */
  readonly trustedSnapshots: readonly SnapshotId[];
}

/** A signer set, field for field as its JSON. */
export interface SignerSet {
  readonly format: 1;
  readonly repository: RepositoryId;
  /** Readers use the valid set with the highest version. */
  readonly version: number;
  readonly signers: readonly SignerSetEntry[];
}

const SET_KEYS = ['format', 'repository', 'version', 'signers'] as const;
const SIGNER_KEYS = ['name', 'publicKey', 'role', 'added', 'revoked', 'trustedSnapshots'] as const;

/** The signer set's JSON, keys in the spec's order; throws a FormatError for a set the decoder would refuse. */
export function encodeSignerSetJson(set: SignerSet): Buffer {
  const json = {
    format: set.format,
    repository: set.repository,
    version: set.version,
    signers: set.signers.map((s) => ({
      name: s.name,
      publicKey: s.publicKey.toString('hex'),
      role: s.role,
      added: formatTimeNs(s.added),
      revoked: s.revoked === null ? null : formatTimeNs(s.revoked),
      // Only a revoked entry carries the list, so sets without revocations encode as before.
      ...(s.revoked === null ? {} : { trustedSnapshots: s.trustedSnapshots }),
    })),
  };
  signerSetFromJson(json);
  return encodeJson(json);
}

/** Decodes and validates signer set JSON (public keys unique). */
export function decodeSignerSetJson(bytes: Uint8Array): SignerSet {
  return signerSetFromJson(parseJson(bytes, 'signer set'));
}

function signerSetFromJson(value: unknown): SignerSet {
  const f = JsonFields.of(value, 'signer set', SET_KEYS);
  const format = f.integer('format', 0, Number.MAX_SAFE_INTEGER);
  if (format !== 1) throw new FormatError(`signer set: unknown format ${format} (this coffer reads format 1)`);
  const seen = new Set<string>();
  const signers = f.objects('signers', SIGNER_KEYS).map((s): SignerSetEntry => {
    const publicKey = s.hex32('publicKey');
    const hex = publicKey.toString('hex');
    if (seen.has(hex)) s.fail('publicKey', 'is listed twice');
    seen.add(hex);
    const revoked = s.nullableTime('revoked');
    let trustedSnapshots: SnapshotId[] = [];
    if (revoked === null) {
      if (s.has('trustedSnapshots')) s.fail('trustedSnapshots', 'must be absent when the signer is not revoked');
    } else if (s.has('trustedSnapshots')) {
      trustedSnapshots = s.ids('trustedSnapshots', 'snapshot');
      if (new Set(trustedSnapshots).size !== trustedSnapshots.length) s.fail('trustedSnapshots', 'lists a snapshot twice');
    }
    return { name: s.string('name'), publicKey, role: s.oneOf('role', KEY_ROLES), added: s.time('added'), revoked, trustedSnapshots };
  });
  return { format, repository: f.id('repository', 'repository'), version: f.integer('version', 1, Number.MAX_SAFE_INTEGER), signers };
}
