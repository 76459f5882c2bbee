/**
 * The record of one benchmark run (written as JSON to bench/results/) and
 * the medians it is summarised by.
 */
import type { ToolName } from './tools/tool.js';

export const STEPS = ['init', 'first', 'nochange', 'mutated', 'restore', 'check'] as const;
export type Step = (typeof STEPS)[number];

export const STEP_TITLES: Record<Step, string> = {
  init: 'init',
  first: 'first backup',
  nochange: 'no-change backup',
  mutated: 'backup after mutation',
  restore: 'restore latest',
  check: 'check, reading all data',
};

/** The physical limits, timed in the same interleaving as the step they bound. */
export const BASELINES = { cat: 'first', cp: 'restore' } as const satisfies Record<string, Step>;
export type Baseline = keyof typeof BASELINES;
export type Participant = ToolName | Baseline;

export interface Sample {
  readonly round: number;
  readonly participant: Participant;
  readonly step: Step;
  readonly wallSeconds: number;
  readonly userSeconds: number;
  readonly sysSeconds: number;
  readonly peakRssBytes: number;
  /** Repository size after a backup step (apparent bytes of every file in it). */
  readonly repoBytes?: number;
  /** Size of the tool's local cache after the step. */
  readonly cacheBytes?: number;
}

export interface Metrics {
  readonly wallSeconds: number;
  readonly cpuSeconds: number;
  readonly peakRssBytes: number;
  readonly repoBytes?: number;
  readonly cacheBytes?: number;
  readonly samples: number;
}

export interface BenchResult {
  readonly format: 'coffer-bench/1';
  readonly startedAt: string;
  readonly finishedAt: string;
  /** The command line that produced it. */
  readonly command: string;
  readonly host: {
    readonly cpu: string;
    readonly cores: number;
    readonly memoryBytes: number;
    readonly os: string;
    readonly node: string;
    /** 1-minute load average at start and end: the machine is shared. */
    readonly loadAverage: readonly [number, number];
  };
  readonly versions: Readonly<Record<string, string>>;
  /** How each tool was configured. */
  readonly settings: Readonly<Record<string, string>>;
  readonly dataset: {
    readonly name: string;
    readonly key: string;
    readonly files: number;
    readonly dirs: number;
    readonly bytes: number;
    readonly mutationBytes: number;
  };
  /** Rounds measured. */
  readonly rounds: number;
  /** Rounds asked for, when the result is written before they all ran. */
  readonly plannedRounds?: number;
  readonly tools: readonly ToolName[];
  readonly steps: readonly Step[];
  readonly samples: readonly Sample[];
  /** medians[participant][step] */
  readonly medians: Readonly<Partial<Record<Participant, Partial<Record<Step, Metrics>>>>>;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Medians of every metric per participant and step. */
export function medians(samples: readonly Sample[]): BenchResult['medians'] {
  const groups = new Map<string, Sample[]>();
  for (const s of samples) {
    const key = `${s.participant}\0${s.step}`;
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  const out: Partial<Record<Participant, Partial<Record<Step, Metrics>>>> = {};
  for (const group of groups.values()) {
    const { participant, step } = group[0]!;
    const optional = (pick: (s: Sample) => number | undefined): number | undefined => {
      const values = group.map(pick).filter((v): v is number => v !== undefined);
      return values.length > 0 ? median(values) : undefined;
    };
    (out[participant] ??= {})[step] = {
      wallSeconds: median(group.map((s) => s.wallSeconds)),
      cpuSeconds: median(group.map((s) => s.userSeconds + s.sysSeconds)),
      peakRssBytes: median(group.map((s) => s.peakRssBytes)),
      repoBytes: optional((s) => s.repoBytes),
      cacheBytes: optional((s) => s.cacheBytes),
      samples: group.length,
    };
  }
  return out;
}
