/**
 * `coffer forget`: removes snapshot objects, either those a retention policy
 * does not keep (docs/retention.md) or those named by id. Data stays until
 * prune. Unverified snapshots never count for a policy and are removed only
 * with --allow-unverified.
 */
import { NotFoundError, UsageError } from '../../errors.js';
import { shortId } from '../../format/index.js';
import { idOfName, requireOwnerKey, snapshotName, type Repository, type SnapshotRecord } from '../../repository/index.js';
import {
  planForget, processOffset, type ForgetCandidate, type GroupField, type RetentionPolicy,
} from '../../retention/index.js';
import type { Context } from '../context.js';
import { groupByOf, policyOf, type ForgetFlags } from '../forget-flags.js';
import { eachLimited, removeSnapshots } from '../forget-remove.js';
import {
  NOTE_NAMED, NOTE_NO_RULE, NOTE_UNVERIFIED, rowJson, sectionText, type ForgetRow, type ForgetSection,
} from '../forget-output.js';

export async function run(ctx: Context, ids: string[], flags: ForgetFlags): Promise<number> {
  const policy = policyOf(flags);
  if (policy && ids.length > 0) throw new UsageError('forget: give either --keep-* rules or snapshot ids, not both');
  if (!policy && ids.length === 0) {
    throw new UsageError('forget: no policy and no snapshot ids; give --keep-* rules, or the ids of the snapshots to remove');
  }
  if (ids.length > 0 && flags.groupBy !== undefined) throw new UsageError('forget: --group-by applies to --keep-* rules, not to snapshot ids');
  const groupBy = groupByOf(flags);
  const allowUnverified = flags.allowUnverified === true;
  const repository = await ctx.open();
  requireOwnerKey(repository.keyring, 'forget');
  const { snapshots, issues } = await repository.listSnapshots(ctx.signal);
  const unreadable = issues.map((issue) => ({ id: idOfName(issue.object), message: issue.message }));

  let sections: ForgetSection[];
  if (policy) {
    for (const u of unreadable) {
      ctx.warn({ code: 'SNAPSHOT_UNREADABLE', message: `snapshot ${shortId(u.id)} cannot be read (${u.message}); left alone` });
    }
    sections = await policySections(ctx, repository, snapshots, policy, groupBy, allowUnverified);
  } else {
    sections = [{ group: null, rows: namedRows(ids, snapshots, unreadable.map((u) => u.id), allowUnverified) }];
  }

  const dryRun = flags.dryRun === true;
  const offset = processOffset;
  for (const section of sections) {
    if (ctx.json) for (const row of section.rows) ctx.outJson(rowJson(row, section.group));
    else if (!ctx.flags.quiet) ctx.out(`${sectionText(section, offset, dryRun).join('\n')}\n`);
  }
  const rows = sections.flatMap((s) => s.rows);
  const doomed = rows.filter((r) => r.action === 'remove').map((r) => r.id);
  const outcome = dryRun ? { removed: 0, failed: 0 } : await removeSnapshots(repository.backend, doomed, (w) => ctx.warn(w), ctx.signal);
  const count = (action: string) => rows.filter((r) => r.action === action).length;
  const summary = {
    dryRun, kept: count('keep'), toRemove: doomed.length, removed: outcome.removed, failed: outcome.failed,
    leftUnverified: count('leave'), unreadable: policy ? unreadable.length : 0,
  };
  if (ctx.json) {
    ctx.outJson({ type: 'summary', ...summary });
  } else {
    const parts = [
      `${summary.kept} kept`,
      dryRun ? `${summary.toRemove} would be removed (dry run: nothing was removed)` : `${summary.removed} removed`,
      ...(summary.failed > 0 ? [`${summary.failed} could not be removed (see the warnings)`] : []),
      ...(summary.leftUnverified > 0 ? [`${summary.leftUnverified} unverified left alone`] : []),
      ...(summary.unreadable > 0 ? [`${summary.unreadable} unreadable left alone`] : []),
    ];
    ctx.out(`${parts.join(', ')}.`);
    if (summary.toRemove > 0) ctx.info('forget removes snapshot objects only; run prune to reclaim the space of data no snapshot uses any more');
  }
  return outcome.failed > 0 ? 1 : 0;
}

async function policySections(
  ctx: Context, repository: Repository, records: readonly SnapshotRecord[], policy: RetentionPolicy,
  groupBy: readonly GroupField[], allowUnverified: boolean,
): Promise<ForgetSection[]> {
  const stored = await storedTimes(ctx, repository, records);
  const byId = new Map(records.map((r) => [r.id, r]));
  const candidates: ForgetCandidate[] = [];
  for (const record of records) {
    const storedTime = stored.get(record.id);
    if (storedTime === undefined) continue;
    const s = record.snapshot;
    candidates.push({
      id: record.id, claimedTime: s.time, storedTime, hostname: s.hostname, paths: s.paths, tags: s.tags,
      signer: s.signer.toString('hex'), verified: record.verified,
    });
  }
  const groups = planForget(candidates, { policy, groupBy, includeUnverified: allowUnverified, offset: processOffset });
  return groups.map(({ group, snapshots }) => ({
    group,
    rows: snapshots.map((p): ForgetRow => ({
      id: p.candidate.id, record: byId.get(p.candidate.id), storedTime: p.candidate.storedTime, effective: p.effective,
      action: p.action, reasons: p.reasons,
      note: p.action === 'remove' ? NOTE_NO_RULE : p.action === 'leave' ? NOTE_UNVERIFIED : null,
    })),
  }));
}

/** When storage stored each snapshot object (its own timestamp, not the client's clock). */
async function storedTimes(ctx: Context, repository: Repository, records: readonly SnapshotRecord[]): Promise<Map<string, bigint>> {
  const out = new Map<string, bigint>();
  await eachLimited(records, async (record) => {
    try {
      const info = await repository.backend.stat(snapshotName(record.id), { signal: ctx.signal });
      out.set(record.id, BigInt(info.modified.getTime()) * 1_000_000n);
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
      ctx.warn({ code: 'SNAPSHOT_VANISHED', message: `snapshot ${shortId(record.id)} disappeared while forget ran; left out` });
    }
  });
  return out;
}

/** Resolves ids (unique prefixes of at least 4 hex digits) to rows that remove them. */
function namedRows(ids: readonly string[], records: readonly SnapshotRecord[], unreadable: readonly string[], allowUnverified: boolean): ForgetRow[] {
  const all = [...records.map((r) => r.id), ...unreadable];
  const byId = new Map(records.map((r) => [r.id, r]));
  const chosen = new Set<string>();
  for (const ref of ids) {
    if (!/^[0-9a-f]{4,64}$/.test(ref)) throw new UsageError(`forget: "${ref}" is not a snapshot id (hex, at least 4 digits)`);
    const matches = all.filter((id) => id.startsWith(ref));
    if (matches.length === 0) throw new NotFoundError(`forget: no snapshot ${ref}`);
    if (matches.length > 1) throw new UsageError(`forget: snapshot id ${ref} is ambiguous: ${matches.map(shortId).join(', ')}`);
    const id = matches[0]!;
    const record = byId.get(id);
    if (!record?.verified && !allowUnverified) {
      const what = record ? 'its signature is missing, broken or from an unknown signer' : 'it cannot be read';
      throw new UsageError(`forget: snapshot ${shortId(id)}: ${what}; nothing was removed (use --allow-unverified to remove it anyway)`);
    }
    chosen.add(id);
  }
  return [...chosen].map((id) => ({ id, record: byId.get(id), action: 'remove', reasons: [], note: NOTE_NAMED }));
}
