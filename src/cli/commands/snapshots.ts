import { formatTimeNs } from '../../format/index.js';
import type { SnapshotStatus } from '../../repository/index.js';
import type { Context } from '../context.js';
import { renderTable } from '../output.js';

/** What the Signer column adds to the name; everything but 'verified' means the snapshot does not count. */
const STATUS_NOTE: Record<SnapshotStatus, string> = {
  'verified': '',
  'bad-signature': ' (UNVERIFIED: bad signature)',
  'unknown-signer': ' (UNVERIFIED: unknown signer)',
  'revoked-signer': ' (UNVERIFIED: signer revoked)',
};

export async function run(ctx: Context): Promise<number> {
  const repository = await ctx.openReader('snapshots');
  const { snapshots, issues } = await repository.listSnapshots(ctx.signal);
  for (const issue of issues) ctx.warn({ code: 'SNAPSHOT_UNREADABLE', message: `${issue.object}: ${issue.message}` });
  for (const issue of repository.signerSetIssues) ctx.warn({ code: 'SIGNER_SET', message: `${issue.object}: ${issue.message}` });
  const highWater = ctx.highWater();
  for (const r of snapshots) {
    if (r.verified) highWater.observeSnapshot(r.snapshot.signer.toString('hex'), { sequence: r.snapshot.sequence, snapshot: r.id });
  }
  if (ctx.json) {
    ctx.outJson(snapshots.map(({ id, snapshot: s, signerName, verified, status }) => ({
      id, time: formatTimeNs(s.time), hostname: s.hostname, username: s.username, paths: s.paths, tags: s.tags,
      tree: s.tree, incomplete: s.incomplete, signer: s.signer.toString('hex'), signerName: signerName ?? null,
      sequence: s.sequence, previous: s.previous, verified, verification: status, summary: s.summary,
    })));
    return 0;
  }
  const rows = snapshots.map(({ id, snapshot: s, signerName, status }) => [
    id.slice(0, 8), formatTimeNs(s.time).replace(/\.\d+Z$/, 'Z'), s.hostname, s.tags.join(','), s.paths.join(' '),
    `${signerName ?? 'unknown'}${STATUS_NOTE[status]}`, s.incomplete ? 'incomplete' : 'complete',
  ]);
  ctx.out(renderTable(['ID', 'Time', 'Host', 'Tags', 'Paths', 'Signer', 'State'], rows).trimEnd());
  ctx.out(`${snapshots.length} snapshot(s)`);
  return 0;
}
