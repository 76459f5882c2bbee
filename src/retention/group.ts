/**
 * Retention groups. Snapshots are grouped by the fields `--group-by` names
 * (host, paths, tags) and always by signer and by whether the signature
 * verified, so one writer's snapshots never count against another's and an
 * unverified snapshot never takes the place of a verified one.
 */
import { UsageError } from '../errors.js';

export type GroupField = 'host' | 'paths' | 'tags';

export const GROUP_FIELDS: readonly GroupField[] = ['host', 'paths', 'tags'];
export const DEFAULT_GROUP_BY: readonly GroupField[] = ['host', 'paths'];

/** `host,paths,tags` in any order or subset; the empty string groups by signer alone. */
export function parseGroupBy(text: string): GroupField[] {
  const fields = text.split(',').map((f) => f.trim()).filter((f) => f !== '');
  for (const field of fields) {
    if (!(GROUP_FIELDS as readonly string[]).includes(field)) {
      throw new UsageError(`--group-by: unknown field "${field}" (use host, paths and tags, comma-separated; signer is always included)`);
    }
  }
  return GROUP_FIELDS.filter((f) => fields.includes(f));
}

export interface GroupableSnapshot {
  readonly hostname: string;
  readonly paths: readonly string[];
  readonly tags: readonly string[];
  /** The signer's public key, hex. */
  readonly signer: string;
  readonly verified: boolean;
}

/** What a group has in common; fields not grouped by are absent. */
export interface GroupKey {
  readonly signer: string;
  readonly verified: boolean;
  readonly host?: string;
  readonly paths?: readonly string[];
  readonly tags?: readonly string[];
}

export function groupOf(snapshot: GroupableSnapshot, fields: readonly GroupField[]): GroupKey {
  return {
    signer: snapshot.signer,
    verified: snapshot.verified,
    ...(fields.includes('host') ? { host: snapshot.hostname } : {}),
    ...(fields.includes('paths') ? { paths: [...snapshot.paths].sort() } : {}),
    ...(fields.includes('tags') ? { tags: [...new Set(snapshot.tags)].sort() } : {}),
  };
}

/** Equal strings exactly for equal groups. */
export function groupId(group: GroupKey): string {
  return JSON.stringify([group.signer, group.verified, group.host ?? null, group.paths ?? null, group.tags ?? null]);
}
