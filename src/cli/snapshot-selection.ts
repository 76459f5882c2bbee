/** The snapshots a command works on: those named (ids or "latest"), or every verified one. */
import { shortId } from '../format/index.js';
import type { Repository, SnapshotRecord } from '../repository/index.js';
import type { Context } from './context.js';
import { selectSnapshot } from './snapshot-ref.js';

/**
 * Named snapshots must verify (selectSnapshot says why not); without names,
 * every verified snapshot, oldest first, with a warning for each one skipped.
 */
export async function selectSnapshots(ctx: Context, repository: Repository, refs: readonly string[]): Promise<SnapshotRecord[]> {
  const { snapshots, issues } = await repository.listSnapshots(ctx.signal);
  for (const issue of issues) ctx.warn({ code: 'SNAPSHOT_UNREADABLE', message: `${issue.object}: ${issue.message}` });
  if (refs.length === 0) {
    for (const r of snapshots.filter((s) => !s.verified)) {
      ctx.warn({ code: 'SNAPSHOT_UNVERIFIED', message: `snapshot ${shortId(r.id)}: signature missing, broken or from an unknown signer: skipped` });
    }
    return snapshots.filter((s) => s.verified);
  }
  const chosen = new Map<string, SnapshotRecord>();
  for (const ref of refs) {
    const record = selectSnapshot(snapshots, ref, false);
    chosen.set(record.id, record);
  }
  return snapshots.filter((s) => chosen.has(s.id));
}
