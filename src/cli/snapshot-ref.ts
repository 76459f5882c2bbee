/** Resolves `latest` or an id prefix to a snapshot record. */
import { NotFoundError, UsageError } from '../errors.js';
import { shortId } from '../format/index.js';
import type { SnapshotRecord } from '../repository/index.js';
import { parseDisplayPath } from '../source/index.js';

export function selectSnapshot(records: readonly SnapshotRecord[], ref: string, allowUnverified: boolean): SnapshotRecord {
  if (ref === 'latest') {
    const candidates = records.filter((r) => r.verified || allowUnverified);
    const latest = candidates[candidates.length - 1];
    if (!latest) throw new NotFoundError('no snapshots (with a verified signature) in the repository');
    return latest;
  }
  if (!/^[0-9a-f]{4,64}$/.test(ref)) throw new UsageError(`"${ref}" is not a snapshot id (hex, at least 4 digits) or "latest"`);
  const matches = records.filter((r) => r.id.startsWith(ref));
  if (matches.length === 0) throw new NotFoundError(`no snapshot ${ref}`);
  if (matches.length > 1) throw new UsageError(`snapshot id ${ref} is ambiguous: ${matches.map((m) => shortId(m.id)).join(', ')}`);
  const record = matches[0]!;
  if (!record.verified && !allowUnverified) {
    throw new UsageError(`snapshot ${shortId(record.id)}: signature missing, broken or from an unknown signer (use --allow-unverified to use it anyway)`);
  }
  return record;
}

/**
 * The snapshots named by `refs` (ids, prefixes or `latest`), oldest first and
 * each once; with no refs, every snapshot that verifies (or every one, with
 * allowUnverified).
 */
export function selectSnapshots(records: readonly SnapshotRecord[], refs: readonly string[], allowUnverified: boolean): SnapshotRecord[] {
  if (refs.length === 0) return records.filter((r) => r.verified || allowUnverified);
  const chosen = new Set(refs.map((ref) => selectSnapshot(records, ref, allowUnverified)));
  return records.filter((r) => chosen.has(r));
}

/**
 * A path inside a snapshot, as typed: `/`-separated, written as `ls` shows
 * names (`\xff` for a byte that is not UTF-8, `\\` for a backslash).
 * Returns its names; `/` (or an empty path) is the root, [].
 */
export function snapshotPathArg(text: string): Buffer[] {
  const names: Buffer[] = [];
  for (const part of text.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') throw new UsageError(`path ${JSON.stringify(text)}: ".." is not allowed`);
    names.push(parseDisplayPath(part));
  }
  return names;
}
