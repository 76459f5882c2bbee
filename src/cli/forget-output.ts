/**
 * How `forget` reports its decisions: per group a table saying, for every
 * snapshot, whether it is kept or removed and why; or one JSON line per
 * snapshot. Text from the repository (hosts, paths, tags, names) is made safe
 * for a terminal.
 */
import { formatTimeNs, shortId } from '../format/index.js';
import type { SnapshotRecord } from '../repository/index.js';
import {
  describeReason, formatLocal, nsToMs, type EffectiveTime, type ForgetAction, type GroupKey, type KeepReason, type UtcOffset,
} from '../retention/index.js';
import { renderTable, sanitizeForTerminal } from './output.js';

/** One snapshot's decision, in either mode (policy or named ids). */
export interface ForgetRow {
  readonly id: string;
  /** Undefined for a snapshot object that could not be opened. */
  readonly record?: SnapshotRecord;
  readonly storedTime?: bigint;
  readonly effective?: EffectiveTime;
  readonly action: ForgetAction;
  readonly reasons: readonly KeepReason[];
  /** Why it is removed or left alone; null when kept (the reasons say why). */
  readonly note: string | null;
}

export interface ForgetSection {
  /** The group, or null for snapshots named on the command line. */
  readonly group: GroupKey | null;
  readonly rows: readonly ForgetRow[];
}

export const NOTE_NO_RULE = 'no rule keeps it';
export const NOTE_NAMED = 'named on the command line';
export const NOTE_UNVERIFIED = 'unverified: not counted and not removed (--allow-unverified applies the policy to it)';

export function rowJson(row: ForgetRow, group: GroupKey | null): Record<string, unknown> {
  const s = row.record?.snapshot;
  return {
    type: 'snapshot', id: row.id, action: row.action,
    reasons: row.reasons.map((reason) => ({ ...reason, text: describeReason(reason) })),
    note: row.note,
    time: s ? formatTimeNs(s.time) : null,
    storedTime: row.storedTime === undefined ? null : formatTimeNs(row.storedTime),
    effectiveTime: row.effective ? formatTimeNs(row.effective.time) : null,
    timeCapped: row.effective?.capped ?? false,
    hostname: s?.hostname ?? null, paths: s?.paths ?? null, tags: s?.tags ?? null,
    signer: s ? s.signer.toString('hex') : null, signerName: row.record?.signerName ?? null,
    verified: row.record?.verified ?? false,
    group,
  };
}

/** The lines of text for one section: a heading, a table, and notes on times counted at storage time. */
export function sectionText(section: ForgetSection, offset: UtcOffset, dryRun: boolean): string[] {
  const time = (ns: bigint) => formatLocal(nsToMs(ns), offset);
  const rows = section.rows.map((row) => {
    const s = row.record?.snapshot;
    const shown = row.effective?.time ?? s?.time;
    return [
      shortId(row.id),
      shown === undefined ? '?' : `${time(shown)}${row.effective?.capped ? ' *' : ''}`,
      s?.hostname ?? '?', s?.tags.join(',') ?? '', s?.paths.join(' ') ?? '?',
      row.action === 'remove' && dryRun ? 'would remove' : row.action,
      row.action === 'keep' ? row.reasons.map(describeReason).join(', ') : (row.note ?? ''),
    ];
  });
  const lines = [heading(section), ...renderTable(['ID', 'Time (local)', 'Host', 'Tags', 'Paths', 'Action', 'Why'], rows).trimEnd().split('\n')];
  for (const row of section.rows) {
    if (!row.effective?.capped || !row.record || row.storedTime === undefined) continue;
    lines.push(`* ${shortId(row.id)} claims ${time(row.record.snapshot.time)}, after storage stored it (${time(row.storedTime)}); counted at its storage time`);
  }
  return lines;
}

function heading(section: ForgetSection): string {
  const g = section.group;
  if (!g) return 'snapshots named on the command line:';
  const signer = section.rows.find((r) => r.record)?.record;
  const parts = [
    g.host !== undefined ? `host ${g.host}` : undefined,
    g.paths !== undefined ? `paths ${g.paths.join(' ')}` : undefined,
    g.tags !== undefined ? `tags ${g.tags.length > 0 ? g.tags.join(',') : '(none)'}` : undefined,
  ].filter((p) => p !== undefined);
  const by = g.verified
    ? `signed by ${signer?.signerName ?? 'unknown'} (${shortId(g.signer)})`
    : `UNVERIFIED: signature missing, broken or by an unknown signer, claiming signer ${shortId(g.signer)}`;
  return sanitizeForTerminal(`${[...parts, by].join(', ')}:`);
}
