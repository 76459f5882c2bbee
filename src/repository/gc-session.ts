/**
 * A writer's side of garbage collection (docs/format.md "Garbage collection
 * (prune)", "Writers"). Backups take no lock; instead each backup:
 *
 * - lists the gc plans before it loads the index, and never deduplicates
 *   against a pack a plan lists (a doomed pack);
 * - records the packs its snapshot will depend on;
 * - refreshes the plans at least every R = window/4 of elapsed time and
 *   before saving its snapshot, and saves a rescue index (an index object
 *   listing the threatened packs, without entries) when a new plan lists a
 *   dependency, which stops the sweep from deleting them;
 * - checks each rescue against the storage's clock (the rescue index's own
 *   modification time against the plan's), and after a stall (suspended,
 *   starved) that nothing it depends on is gone; otherwise it fails with a
 *   ConflictError rather than save a snapshot that might refer to deleted data.
 */
import type { Backend } from '../backend/backend.js';
import { ConflictError, NotFoundError, throwIfAborted } from '../errors.js';
import { MIN_GC_WINDOW_MS, shortId, type GcPlanLimits, type PackId, type PackType } from '../format/index.js';
import type { DedupGuard } from './blob-writer.js';
import { loadPlans, loadTombstones, type LoadedPlan } from './gc-objects.js';
import { sealIndex } from './index-object.js';
import { writerDomain, type Keyring } from './keyring.js';
import { indexName, packName, planName } from './layout.js';

/** Two readings of the writer's clocks, in milliseconds. */
export interface ClockReading {
  /** Wall clock (Date.now): keeps counting while the machine sleeps. */
  readonly wall: number;
  /** Monotonic clock (performance.now): never jumps when the wall clock is set. */
  readonly mono: number;
}

export const systemClock = (): ClockReading => ({ wall: Date.now(), mono: performance.now() });

export interface GcSessionOptions {
  readonly backend: Backend;
  readonly keyring: Keyring;
  /** The smallest window a plan may have: MIN_GC_WINDOW_MS except in tests. */
  readonly minWindowMs?: number;
  readonly clock?: () => ClockReading;
  readonly signal?: AbortSignal;
}

export interface GcSessionStats {
  /** Rescue indexes saved. */
  rescues: number;
  /** Plans seen during the session. */
  plans: number;
}

/** Elapsed time between two readings: the larger of the two clocks' differences. */
function elapsed(from: ClockReading, to: ClockReading): number {
  return Math.max(to.wall - from.wall, to.mono - from.mono);
}

export class GcSession implements DedupGuard {
  readonly stats: GcSessionStats = { rescues: 0, plans: 0 };
  private readonly seen = new Set<string>();
  private readonly doomed = new Map<string, PackType>();
  private readonly dependencies = new Map<string, PackType>();
  private readonly windowMs: number;
  private readonly clock: () => ClockReading;
  private lastRefresh: ClockReading;
  private refreshing: Promise<void> | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private closed = false;
  /** A refresh the timer ran failed: the next caller gets the error. */
  private failure: unknown;

  private constructor(private readonly options: GcSessionOptions) {
    this.windowMs = options.minWindowMs ?? MIN_GC_WINDOW_MS;
    this.clock = options.clock ?? systemClock;
    this.lastRefresh = this.clock();
  }

  /**
   * Starts a session: lists the plans and tombstones (their packs are doomed),
   * and refreshes on a timer from then on, so a backup that waits (a pause
   * file, a slow source) still protects what it depends on. Call before
   * loading the index, and `close` at the end.
   */
  static async start(options: GcSessionOptions): Promise<GcSession> {
    const session = new GcSession(options);
    const plans = await session.listPlans();
    for (const plan of plans) session.see(plan);
    // A tombstoned pack is gone or going: even an index loaded earlier must not lead to it.
    const { tombstones } = await loadTombstones(options.backend, options.keyring.ownerPublicKey, options.signal);
    for (const tombstone of tombstones) for (const pack of tombstone.packs) session.doomed.set(pack, 'data');
    return session;
  }

  /** Stops the timer. */
  close(): void {
    this.closed = true;
    clearInterval(this.timer);
  }

  /** R: the longest a writer goes without refreshing (docs/format.md "Writers"). */
  get refreshInterval(): number {
    return this.windowMs / 4;
  }

  isDoomed(packId: string): boolean {
    return this.doomed.has(packId);
  }

  depend(packId: string, type: PackType): void {
    this.dependencies.set(packId, type);
  }

  /** Refreshes if R has passed since the last refresh began (several callers share one refresh). */
  async tick(): Promise<void> {
    if (this.failure !== undefined) throw this.failure;
    if (!this.timer && !this.closed) {
      // From the first tick on (the backup is under way, inside its try/finally), refresh on a timer too.
      this.timer = setInterval(() => {
        this.tick().catch((error: unknown) => {
          this.failure ??= error;
        });
      }, Math.max(1, this.refreshInterval / 2));
      this.timer.unref();
    }
    if (this.refreshing) return this.refreshing;
    if (elapsed(this.lastRefresh, this.clock()) < this.refreshInterval) return;
    this.refreshing = this.refresh().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  /** Call right before saving the snapshot: the snapshot must be saved within R of the last refresh. */
  async beforeSnapshot(): Promise<void> {
    await this.refreshing;
    await this.tick();
  }

  private async refresh(): Promise<void> {
    const start = this.clock();
    const stalled = elapsed(this.lastRefresh, start) >= this.windowMs - this.refreshInterval;
    const fresh = (await this.listPlans()).filter((plan) => !this.seen.has(plan.id));
    for (const plan of fresh) this.see(plan);
    // Plans seen before cannot threaten a dependency: their packs were doomed before it was taken,
    // and dependencies they listed when first seen were rescued then.
    const threatened = new Map<string, PackType>();
    for (const plan of fresh) {
      for (const c of plan.plan.candidates) if (this.dependencies.has(c.id)) threatened.set(c.id, c.type);
    }
    if (stalled) await this.checkNothingGone();
    if (threatened.size > 0) await this.rescue(threatened, fresh);
    this.lastRefresh = start;
  }

  private see(plan: LoadedPlan): void {
    this.seen.add(plan.id);
    this.stats.plans += 1;
    for (const candidate of plan.plan.candidates) this.doomed.set(candidate.id, candidate.type);
  }

  private async listPlans(): Promise<LoadedPlan[]> {
    const limits: GcPlanLimits = { minWindowMs: this.windowMs };
    const { backend, keyring, signal } = this.options;
    return (await loadPlans(backend, keyring.ownerPublicKey, { limits, signal })).plans;
  }

  /**
   * Saves an index object that lists the threatened packs (without entries):
   * the sweep keeps what a rescue index lists, if the sweep sees it. It does
   * if the rescue was saved, by the storage's clock, at least R before the
   * plan's window ends; otherwise the backup stops.
   */
  private async rescue(packs: Map<string, PackType>, plans: readonly LoadedPlan[]): Promise<void> {
    const { backend, keyring, signal } = this.options;
    const payload = { superseded: [], packs: [...packs].map(([id, type]) => ({ id: id as PackId, type, entries: [] })) };
    const sealed = sealIndex(payload, writerDomain(keyring), keyring.signer);
    await backend.save(indexName(sealed.id), sealed.bytes, { signal });
    this.stats.rescues += 1;
    const saved = (await backend.stat(indexName(sealed.id), { signal })).modified.getTime();
    for (const { id, plan } of plans) {
      if (!plan.candidates.some((c) => packs.has(c.id))) continue;
      let time: number | undefined;
      try {
        time = (await backend.stat(planName(id), { signal })).modified.getTime();
      } catch (error) {
        if (!(error instanceof NotFoundError)) throw error;
      }
      if (time === undefined || saved + this.refreshInterval >= time + plan.windowMs) {
        throw new ConflictError(
          `prune is collecting data this backup depends on (gc plan ${shortId(id)}) and the backup could not `
          + 'protect it in time: no snapshot was written; run the backup again');
      }
    }
  }

  /**
   * After a stall a plan may have come and gone, deleting a dependency: make
   * sure none is tombstoned or missing.
   */
  private async checkNothingGone(): Promise<void> {
    const { backend, keyring, signal } = this.options;
    const { tombstones } = await loadTombstones(backend, keyring.ownerPublicKey, signal);
    for (const tombstone of tombstones) {
      for (const pack of tombstone.packs) {
        if (this.dependencies.has(pack)) {
          throw new ConflictError(`backup paused too long: prune deleted pack ${shortId(pack)} it depends on; no snapshot was written; run the backup again`);
        }
      }
    }
    for (const [pack, type] of this.dependencies) {
      throwIfAborted(signal);
      try {
        await backend.stat(packName(type, pack), { signal });
      } catch (error) {
        if (!(error instanceof NotFoundError)) throw error;
        throw new ConflictError(`backup paused too long: pack ${shortId(pack)} it depends on is gone; no snapshot was written; run the backup again`);
      }
    }
  }
}
