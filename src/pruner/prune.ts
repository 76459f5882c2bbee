/**
 * `prune`: garbage collection without a lock (docs/format.md "Garbage
 * collection (prune)"). One run reads the storage's clock, works out what
 * every pack holds and which blobs the snapshots reference, sweeps the plans
 * whose safety window has passed, repacks mostly-unused packs, and saves a
 * new plan for a later run to sweep.
 */
import type { Warning } from '../errors.js';
import { MIN_GC_WINDOW_MS, type GcCandidate, type IndexId, type PackId } from '../format/index.js';
import {
  loadPlans, loadTombstones, readStorageClock, requireOwnerKey, requireReadKey, savePlan,
  type LoadedPlan, type OwnerKey, type Repository,
} from '../repository/index.js';
import { listStoredPacks, readCatalog } from './catalog.js';
import { surveyContents } from './contents.js';
import { IdTable } from './id-table.js';
import { duplicatesToVerify, endorsePacks } from './endorse.js';
import { assignKeepers } from './keepers.js';
import { markSnapshots } from './mark.js';
import { PackFlag, PackTable } from './pack-table.js';
import { removeStaleProbes } from './removal.js';
import { repack } from './repack.js';
import { protectRescued, sweep, type SweepResult } from './sweep.js';

/** The default safety window: twice the minimum, for storage whose listings lag and clocks that step. */
export const DEFAULT_WINDOW_MS = 2 * MIN_GC_WINDOW_MS;
/** Packs more unused than this share are repacked by default. */
export const DEFAULT_MAX_UNUSED = 0.1;

export interface PruneProgress {
  readonly phase: 'plans' | 'index' | 'mark' | 'trailers' | 'verify' | 'delete' | 'repack' | 'wait';
  readonly done: number;
  readonly total?: number;
}

export interface PruneOptions {
  /** Work out what would happen; write and remove nothing. */
  readonly dryRun?: boolean;
  /** Repack packs whose unused share exceeds this fraction. */
  readonly maxUnused?: number;
  /** The new plan's safety window. */
  readonly windowMs?: number;
  /** The smallest window a plan may have: MIN_GC_WINDOW_MS except in tests. */
  readonly minWindowMs?: number;
  /** Count snapshots whose signature does not verify (their data is kept) instead of stopping. */
  readonly allowUnverified?: boolean;
  /** Go on although some snapshots cannot be read: the data only they reference may be deleted. */
  readonly force?: boolean;
  /** Save a new plan (and repack); false only sweeps. */
  readonly plan?: boolean;
  /** After saving a plan, wait for its window and sweep it in the same run. */
  readonly wait?: boolean;
  /** The client's clock, in ms: only used to judge windows in a dry run, and to wait. */
  readonly clock?: () => number;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly signal?: AbortSignal;
  readonly onWarning?: (warning: Warning) => void;
  readonly onProgress?: (progress: PruneProgress) => void;
}

export interface PruneResult {
  readonly dryRun: boolean;
  /** How windows were judged: the storage's clock, or the client's in a dry run. */
  readonly clock: 'storage' | 'client';
  readonly snapshots: number;
  readonly referencedBlobs: number;
  /** Packs in storage when the run began, and their bytes. */
  readonly packs: number;
  readonly bytes: number;
  readonly trailersRead: number;
  /** Untrusted packs holding duplicates that were read whole, verified and endorsed by the owner. */
  readonly packsEndorsed: number;
  readonly sweep: SweepResult;
  readonly repack: { packs: number; blobsCopied: number; packsWritten: number; bytesWritten: number };
  /** The plan this run saved (or would save), if any. */
  readonly plan: { id: string | null; packs: number; bytes: number; windowMs: number; readyAt: string | null } | null;
  /** Plans still waiting for their window, and when each will be ready (storage time, ISO 8601). */
  readonly pendingPlans: readonly { id: string; readyAt: string }[];
  readonly warnings: number;
}

const sleepFor = (ms: number, signal?: AbortSignal) => new Promise<void>((resolve, reject) => {
  const timer = setTimeout(resolve, ms);
  signal?.addEventListener('abort', () => {
    clearTimeout(timer);
    reject(signal.reason);
  }, { once: true });
});

/** Runs prune; with `wait`, then waits for the pending plans' windows and sweeps them. */
export async function prune(repository: Repository, options: PruneOptions = {}): Promise<PruneResult> {
  const first = await pruneOnce(repository, options);
  if (!options.wait || options.dryRun || first.pendingPlans.length === 0) return first;
  const sleep = options.sleep ?? sleepFor;
  const clock = options.clock ?? Date.now;
  const awaited = new Set(first.pendingPlans.map((p) => p.id));
  let result = first;
  let warnings = first.warnings;
  for (let attempt = 0; attempt < 10; attempt++) {
    const waiting = result.pendingPlans.filter((p) => awaited.has(p.id));
    if (waiting.length === 0) break;
    // Plans' times are the storage's: wait on our clock, then let the storage's clock judge.
    const readyAt = Math.max(...waiting.map((p) => Date.parse(p.readyAt)));
    const delay = Math.max(0, readyAt - clock()) + 50 * (attempt + 1);
    options.onProgress?.({ phase: 'wait', done: 0, total: delay });
    await sleep(delay, options.signal);
    result = await pruneOnce(repository, { ...options, plan: false });
    warnings += result.warnings;
  }
  return { ...result, repack: first.repack, plan: first.plan, warnings };
}

async function pruneOnce(repository: Repository, options: PruneOptions): Promise<PruneResult> {
  const { signal, dryRun = false } = options;
  const { backend, keyring } = repository;
  requireReadKey(keyring, 'prune');
  const owner: OwnerKey = { publicKey: keyring.ownerPublicKey, privateKey: requireOwnerKey(keyring, 'prune') };
  const minWindowMs = options.minWindowMs ?? MIN_GC_WINDOW_MS;
  const windowMs = options.windowMs ?? Math.max(DEFAULT_WINDOW_MS, minWindowMs);
  let warnings = 0;
  const warn = (warning: Warning) => {
    warnings += 1;
    options.onWarning?.(warning);
  };
  const progress = (phase: PruneProgress['phase'], done: number, total?: number) => options.onProgress?.({ phase, done, total });

  // 1. Storage now: the probe's modification time (in a dry run, our own clock: nothing may be written).
  let now: number;
  let probe: string | undefined;
  if (dryRun) {
    now = (options.clock ?? Date.now)();
  } else {
    const reading = await readStorageClock(backend, signal);
    now = reading.now.getTime();
    probe = reading.probe;
  }
  try {
    // 2. Plans, tombstones, packs, index objects, snapshots.
    progress('plans', 0);
    const loaded = await loadPlans(backend, owner.publicKey, { withTimes: true, limits: { minWindowMs }, signal });
    for (const issue of loaded.issues) warn({ code: 'PRUNE_PLAN_INVALID', message: `${issue.object}: ${issue.message} (ignored)` });
    const ripe = loaded.plans.filter((p) => now >= readyAt(p));
    const pending = loaded.plans.filter((p) => !ripe.includes(p));
    const { tombstones, issues: tombstoneIssues } = await loadTombstones(backend, owner.publicKey, signal);
    for (const issue of tombstoneIssues) warn({ code: 'PRUNE_TOMBSTONE_INVALID', message: `${issue.object}: ${issue.message} (ignored)` });
    const tombstoned = new Set<string>(tombstones.flatMap((t) => t.packs));

    const packs = new PackTable();
    const bytes = await listStoredPacks(repository, packs, warn, signal);
    progress('index', 0);
    const records = await readCatalog(repository, packs, {
      tombstoned, signal, onWarning: warn, onProgress: (done) => progress('index', done),
    });
    for (const id of tombstoned) {
      const n = packs.find(id);
      if (n >= 0) packs.set(n, PackFlag.tombstoned);
    }
    const flagCandidates = (plans: readonly LoadedPlan[], flag: number) => {
      for (const plan of plans) for (const c of plan.plan.candidates) packs.set(packs.number(c.id, c.type), flag);
    };
    flagCandidates(ripe, PackFlag.ripe);
    flagCandidates(pending, PackFlag.pending);

    const referenced = new IdTable();
    const snapshots = await markSnapshots(repository, referenced, options, warn);

    // 3. What each pack holds, which copy of each referenced blob is kept, and what is used.
    const contents = await surveyContents(repository, packs, records, referenced, {
      signal, onWarning: warn, onProgress: (done, total) => progress('trailers', done, total),
    });
    let keepers = assignKeepers(packs, referenced.size);
    const duplicates = duplicatesToVerify(packs, referenced.size, keepers);
    let endorsed = 0;
    if (duplicates.length > 0) {
      endorsed = await endorsePacks(repository, packs, duplicates, {
        dryRun, owner, signal, onWarning: warn, onProgress: (done, total) => progress('verify', done, total),
      });
      if (endorsed > 0) keepers = assignKeepers(packs, referenced.size);
    }
    const { keeper, missing } = keepers;
    if (missing > 0) {
      warn({ code: 'PRUNE_BLOBS_MISSING', message: `${missing} blob(s) the snapshots reference are in no readable pack; run check` });
    }

    // 4. Sweep plans whose window has passed.
    protectRescued(packs, records, ripe);
    const swept = await sweep(repository, packs, records, ripe, tombstones, {
      dryRun, owner, signal, onWarning: warn, onProgress: (done, total) => progress('delete', done, total),
    });

    // 5. Repack, then plan.
    let repacked = { packs: 0, blobsCopied: 0, packsWritten: 0, bytesWritten: 0 };
    let plan: PruneResult['plan'] = null;
    let saved: LoadedPlan | undefined;
    if (options.plan !== false) {
      const maxUnused = options.maxUnused ?? DEFAULT_MAX_UNUSED;
      const unused: number[] = [];
      const mostlyUnused: number[] = [];
      for (let n = 0; n < packs.count; n++) {
        if (!plannable(packs, n, dryRun)) continue;
        if (packs.used(n) === 0) unused.push(n);
        // The share of the blobs' bytes, not of the pack: header and trailer are not waste.
        else if (1 - packs.used(n) / Math.max(packs.sealedBytes(n), 1) > maxUnused) mostlyUnused.push(n);
      }
      let candidates = unused;
      if (dryRun) {
        candidates = [...unused, ...mostlyUnused];
        repacked = { ...repacked, packs: mostlyUnused.length };
      } else if (mostlyUnused.length > 0) {
        const done = await repack(repository, packs, referenced, keeper, mostlyUnused, {
          owner, signal, onWarning: warn, onProgress: (d, total) => progress('repack', d, total),
        });
        repacked = { packs: done.repacked.length, blobsCopied: done.blobsCopied, packsWritten: done.packsWritten, bytesWritten: done.bytesWritten };
        candidates = [...unused, ...done.repacked];
      }
      if (candidates.length > 0) {
        const gcPlan = {
          windowMs,
          candidates: candidates.map((n): GcCandidate => ({ id: packs.id(n) as PackId, type: packs.type(n) })),
          knownIndexes: records.map((r) => r.id as IndexId),
        };
        const planned = candidates.reduce((sum, n) => sum + packs.size(n), 0);
        if (dryRun) {
          plan = { id: null, packs: candidates.length, bytes: planned, windowMs, readyAt: null };
        } else {
          saved = await savePlan(backend, gcPlan, owner, { minWindowMs }, signal);
          plan = { id: saved.id, packs: candidates.length, bytes: planned, windowMs, readyAt: new Date(readyAt(saved)).toISOString() };
        }
      }
    }
    if (!dryRun) await removeStaleProbes(repository, now, probe, warn, signal);
    probe = undefined;
    return {
      dryRun, clock: dryRun ? 'client' : 'storage', snapshots, referencedBlobs: referenced.size,
      packs: loadedPackCount(packs), bytes, trailersRead: contents.trailersRead, packsEndorsed: endorsed, sweep: swept, repack: repacked, plan,
      pendingPlans: [...pending, ...(saved ? [saved] : [])].map((p) => ({ id: p.id, readyAt: new Date(readyAt(p)).toISOString() })),
      warnings,
    };
  } finally {
    if (probe) await backend.remove(probe).catch(() => undefined);
  }
}

/** When a plan's window ends, in storage time (ms). */
function readyAt(plan: LoadedPlan): number {
  return plan.time!.getTime() + plan.plan.windowMs;
}

/** Packs a new plan may list or a repack may copy: stored, understood, and not already on their way out. */
function plannable(packs: PackTable, n: number, dryRun: boolean): boolean {
  if (!packs.has(n, PackFlag.stored) || !packs.has(n, PackFlag.surveyed)) return false;
  if (packs.has(n, PackFlag.unreadable) || packs.has(n, PackFlag.tombstoned) || packs.has(n, PackFlag.pending)) return false;
  // In a dry run nothing was swept: candidates of ripe plans are counted by the sweep, not planned again.
  return !(dryRun && packs.has(n, PackFlag.ripe));
}

function loadedPackCount(packs: PackTable): number {
  let count = 0;
  for (let n = 0; n < packs.count; n++) if (packs.has(n, PackFlag.stored) || packs.has(n, PackFlag.deleted)) count += 1;
  return count;
}
