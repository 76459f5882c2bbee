/**
 * Rollback and deletion detection (docs/format.md "Snapshots", "Local
 * cache"): each signer's verified snapshots form a chain through `sequence`
 * and `previous`. A missing link, a sequence number that is skipped, or a
 * snapshot this client saw before (its high-water mark) that storage no
 * longer shows is a problem; two snapshots with one sequence number (a key
 * used for concurrent backups, or a write-only host that lost its cache)
 * are a note. Pure: the checker supplies the records and the marks.
 */
import { shortId } from '../format/index.js';
import type { SignerHead, SnapshotRecord } from '../repository/index.js';
import type { CheckProblem } from './checker.js';

/** Snapshots known to be deleted on purpose (by `forget`), which are not gaps. */
export interface Forgotten {
  readonly ids: ReadonlySet<string>;
  /** `${signer hex}:${sequence}` of each forgotten snapshot. */
  readonly positions: ReadonlySet<string>;
}

export const NOTHING_FORGOTTEN: Forgotten = { ids: new Set(), positions: new Set() };

export interface ChainReport {
  readonly problems: CheckProblem[];
  readonly notes: string[];
}

/**
 * Checks the chains of every signer of `records` (only verified snapshots
 * count; others are reported elsewhere) against each other and against
 * `marks` (signer hex -> the newest snapshot this client saw before).
 */
export function checkChains(
  records: readonly SnapshotRecord[], marks: ReadonlyMap<string, SignerHead>, forgotten: Forgotten = NOTHING_FORGOTTEN,
  nameOf: (signer: string) => string = (signer) => shortId(signer),
): ChainReport {
  const problems: CheckProblem[] = [];
  const notes: string[] = [];
  const bySigner = new Map<string, SnapshotRecord[]>();
  for (const record of records) {
    if (!record.verified) continue;
    const signer = record.snapshot.signer.toString('hex');
    bySigner.set(signer, [...(bySigner.get(signer) ?? []), record]);
  }
  const wasForgotten = (signer: string, sequence: number) => forgotten.positions.has(`${signer}:${sequence}`);

  for (const [signer, chain] of bySigner) {
    const who = `signer ${nameOf(signer)}`;
    const ids = new Set(chain.map((r) => r.id));
    const bySequence = new Map<number, SnapshotRecord[]>();
    for (const r of chain) bySequence.set(r.snapshot.sequence, [...(bySequence.get(r.snapshot.sequence) ?? []), r]);
    for (const r of chain) {
      const { previous, sequence } = r.snapshot;
      if (previous === null || ids.has(previous) || forgotten.ids.has(previous)) continue;
      problems.push({
        object: `snapshots/${r.id}`,
        message: `${who}: snapshot ${shortId(r.id)} (sequence ${sequence}) follows snapshot ${shortId(previous)}, which is missing from storage (deleted or hidden)`,
      });
    }
    for (const r of chain) {
      const { previous, sequence } = r.snapshot;
      const before = previous === null ? undefined : chain.find((p) => p.id === previous);
      if (before && before.snapshot.sequence !== sequence - 1) {
        problems.push({
          object: `snapshots/${r.id}`,
          message: `${who}: snapshot ${shortId(r.id)} (sequence ${sequence}) names ${shortId(before.id)} as previous, whose sequence is ${before.snapshot.sequence}: the chain is broken`,
        });
      }
    }
    const newest = Math.max(...bySequence.keys());
    const missing: number[] = [];
    for (let s = 1; s < newest; s++) {
      // A gap whose successor names its missing predecessor was reported above, with the id.
      const namedBySuccessor = (bySequence.get(s + 1) ?? []).some((r) => r.snapshot.previous !== null && !ids.has(r.snapshot.previous));
      if (!bySequence.has(s) && !wasForgotten(signer, s) && !namedBySuccessor) missing.push(s);
    }
    for (const [from, to] of ranges(missing)) {
      problems.push({
        object: 'snapshots/',
        message: `${who}: ${from === to ? `snapshot with sequence ${from} is` : `snapshots with sequences ${from} to ${to} are`} missing from storage (deleted or hidden)`,
      });
    }
    for (const [sequence, same] of bySequence) {
      if (same.length > 1) {
        notes.push(`${who}: ${same.length} snapshots share sequence ${sequence} (${same.map((r) => shortId(r.id)).join(', ')}): the key made concurrent backups, or a host lost its local cache`);
      }
    }
  }

  for (const [signer, mark] of marks) {
    if (forgotten.ids.has(mark.snapshot) || bySigner.get(signer)?.some((r) => r.id === mark.snapshot)) continue;
    const chain = bySigner.get(signer) ?? [];
    const newest = chain.reduce((n, r) => Math.max(n, r.snapshot.sequence), 0);
    if (newest > mark.sequence) continue; // a newer snapshot names it, or its gap was reported above
    problems.push({
      object: `snapshots/${mark.snapshot}`,
      message: `signer ${nameOf(signer)}: snapshot ${shortId(mark.snapshot)} (sequence ${mark.sequence}), seen before by this client, is missing from storage; `
        + (newest === 0 ? 'no snapshot of this signer is left' : `the newest left is sequence ${newest}`) + ' (deleted, or storage rolled back)',
    });
  }
  return { problems, notes };
}

/** Consecutive runs of sorted numbers: [1,2,3,7] -> [[1,3],[7,7]]. */
function ranges(numbers: readonly number[]): [number, number][] {
  const out: [number, number][] = [];
  for (const n of numbers) {
    const last = out[out.length - 1];
    if (last && last[1] === n - 1) last[1] = n;
    else out.push([n, n]);
  }
  return out;
}
