import { formatTimeNs } from '../../format/index.js';
import type { Context } from '../context.js';
import { renderTable } from '../output.js';

export async function run(ctx: Context): Promise<number> {
  const repository = await ctx.open();
  const { snapshots, issues } = await repository.listSnapshots(ctx.signal);
  for (const issue of issues) ctx.warn({ code: 'SNAPSHOT_UNREADABLE', message: `${issue.object}: ${issue.message}` });
  if (ctx.json) {
    ctx.outJson(snapshots.map(({ id, snapshot: s, signerName, verified }) => ({
      id, time: formatTimeNs(s.time), hostname: s.hostname, username: s.username, paths: s.paths, tags: s.tags,
      tree: s.tree, incomplete: s.incomplete, signer: s.signer.toString('hex'), signerName: signerName ?? null,
      sequence: s.sequence, verified, summary: s.summary,
    })));
    return 0;
  }
  const rows = snapshots.map(({ id, snapshot: s, signerName, verified }) => [
    id.slice(0, 8), formatTimeNs(s.time).replace(/\.\d+Z$/, 'Z'), s.hostname, s.tags.join(','), s.paths.join(' '),
    `${signerName ?? 'unknown'}${verified ? '' : ' (UNVERIFIED)'}`, s.incomplete ? 'incomplete' : 'complete',
  ]);
  ctx.out(renderTable(['ID', 'Time', 'Host', 'Tags', 'Paths', 'Signer', 'State'], rows).trimEnd());
  ctx.out(`${snapshots.length} snapshot(s)`);
  return 0;
}
