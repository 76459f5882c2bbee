/**
 * One benchmark run: rounds of every selected step, each step timed for
 * every tool in turn (and the physical limit that bounds it), the order
 * rotated by one place each round so no tool always runs first after a
 * change or right behind a heavy writer. Every restore is verified byte for
 * byte against the tree that was backed up, untimed.
 */
import { cpus, loadavg, release, totalmem, type as osType } from 'node:os';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Dataset } from './dataset/dataset.js';
import type { DatasetParams } from './dataset/params.js';
import { measure, runQuiet, type Command, type Measurement } from './measure.js';
import { BASELINES, medians, type BenchResult, type Participant, type Sample, type Step } from './result.js';
import { compareTrees, treeBytes } from './tree.js';
import type { BackupStep, ToolDriver, ToolName, ToolRepository } from './tools/tool.js';

export interface RunOptions {
  readonly params: DatasetParams;
  readonly rounds: number;
  readonly drivers: readonly ToolDriver[];
  /** Steps to run, prerequisites included, in order. */
  readonly steps: readonly Step[];
  readonly baselines: boolean;
  readonly dataDir: string;
  /** Repositories, caches and restores go here; removed at the end unless `keep`. */
  readonly workDir: string;
  readonly keep: boolean;
  readonly command: string;
  readonly settings: Readonly<Record<string, string>>;
  readonly log: (line: string) => void;
  /** Called with the result so far after each round but the last, so a long run that is stopped still leaves its rounds. */
  readonly onRound?: (partial: BenchResult) => Promise<void>;
}

/** `items` rotated left by `by` places. */
export function rotate<T>(items: readonly T[], by: number): T[] {
  const k = items.length === 0 ? 0 : by % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}

export async function runBenchmark(options: RunOptions): Promise<BenchResult> {
  const { log } = options;
  const startedAt = new Date().toISOString();
  const loadAtStart = loadavg()[0]!;
  const dataset = await Dataset.prepare(options.params, options.dataDir, log);
  const versions: Record<string, string> = {};
  for (const driver of options.drivers) versions[driver.name] = await driver.version();
  const samples: Sample[] = [];

  const resultOf = (roundsDone: number): BenchResult => ({
    ...summary(options, dataset, startedAt, loadAtStart, versions, samples), rounds: roundsDone,
    ...(roundsDone < options.rounds ? { plannedRounds: options.rounds } : {}),
  });
  try {
    for (let round = 0; round < options.rounds; round++) {
      samples.push(...(await runRound(options, dataset, round)));
      if (round + 1 < options.rounds) await options.onRound?.(resultOf(round + 1));
    }
  } catch (error) {
    log(`work directory left for inspection: ${options.workDir}`);
    throw error;
  }
  await dataset.toBase();
  if (!options.keep) await rm(options.workDir, { recursive: true, force: true });

  return resultOf(options.rounds);
}

function summary(
  options: RunOptions, dataset: Dataset, startedAt: string, loadAtStart: number, versions: Record<string, string>, samples: readonly Sample[],
): Omit<BenchResult, 'rounds'> {
  const cpu = cpus();
  return {
    format: 'coffer-bench/1',
    startedAt,
    finishedAt: new Date().toISOString(),
    command: options.command,
    host: {
      cpu: cpu[0]?.model.trim() ?? 'unknown', cores: cpu.length, memoryBytes: totalmem(), os: `${osType()} ${release()}`,
      node: process.version, loadAverage: [loadAtStart, loadavg()[0]!],
    },
    versions,
    settings: options.settings,
    dataset: {
      name: options.params.name, key: dataset.key, files: dataset.manifest.files.length, dirs: dataset.manifest.dirs.length,
      bytes: dataset.manifest.bytes, mutationBytes: dataset.mutation.bytesWritten,
    },
    tools: options.drivers.map((d) => d.name),
    steps: options.steps,
    samples: [...samples],
    medians: medians(samples),
  };
}

/** Fresh repositories, then every step for every participant in this round's order. */
async function runRound(options: RunOptions, dataset: Dataset, round: number): Promise<Sample[]> {
  const roundDir = join(options.workDir, `round-${round + 1}`);
  const samples: Sample[] = [];
  await dataset.toBase();
  const repos = new Map<ToolName, ToolRepository>();
  for (const driver of options.drivers) {
    const dir = join(roundDir, driver.name);
    await mkdir(dir, { recursive: true });
    repos.set(driver.name, await driver.create(dir));
  }
  await sync(roundDir);
  const baselines = (Object.keys(BASELINES) as (keyof typeof BASELINES)[]).filter(() => options.baselines);
  for (const step of options.steps) {
    if (step === 'mutated') await dataset.toMutated();
    const participants: Participant[] = [...repos.keys(), ...baselines.filter((b) => BASELINES[b] === step)];
    for (const participant of rotate(participants, round)) {
      const sample = await runOne({ participant, step, round, roundDir, dataset, repo: repos.get(participant as ToolName) });
      samples.push(sample);
      options.log(describe(sample, options.rounds));
    }
  }
  if (!options.keep) await rm(roundDir, { recursive: true, force: true });
  return samples;
}

interface StepContext {
  readonly participant: Participant;
  readonly step: Step;
  readonly round: number;
  readonly roundDir: string;
  readonly dataset: Dataset;
  readonly repo: ToolRepository | undefined;
}

async function runOne(ctx: StepContext): Promise<Sample> {
  const { participant, step, round, roundDir, dataset, repo } = ctx;
  const base = { round: round + 1, participant, step };
  if (participant === 'cat') {
    const m = await measured({ argv: ['sh', '-c', 'find "$1" -type f -exec cat {} + > /dev/null', 'sh', dataset.root], stdout: 'ignore' }, roundDir);
    return { ...base, ...m };
  }
  if (participant === 'cp') {
    const target = join(roundDir, 'restore-cp');
    await mkdir(target);
    const m = await measured({ argv: ['cp', '-a', dataset.root, join(target, 'tree')] }, roundDir);
    await compareTrees(dataset.root, join(target, 'tree'));
    await rm(target, { recursive: true, force: true });
    return { ...base, ...m };
  }
  if (repo === undefined) throw new Error(`no repository for ${participant}`);
  switch (step) {
    case 'init':
      return { ...base, ...(await measured(repo.init(), roundDir)) };
    case 'first':
    case 'nochange':
    case 'mutated': {
      const m = await measured(repo.backup(step as BackupStep, dataset.root), roundDir);
      return { ...base, ...m, repoBytes: await treeBytes(repo.repoDir), cacheBytes: await bytesIfExists(repo.cacheDir) };
    }
    case 'restore': {
      const target = join(roundDir, `restore-${participant}`);
      await mkdir(target);
      const m = await measured(repo.restore(target), roundDir);
      await compareTrees(dataset.root, await restoredRoot(target, dataset.root));
      await rm(target, { recursive: true, force: true });
      return { ...base, ...m };
    }
    case 'check':
      return { ...base, ...(await measured(repo.check(), roundDir)) };
  }
}

/** Measures `command`, then flushes what it left dirty (untimed) so it does not slow the next command. */
async function measured(command: Command, roundDir: string): Promise<Measurement> {
  const { wallSeconds, userSeconds, sysSeconds, peakRssBytes } = await measure(command);
  await sync(roundDir);
  return { wallSeconds, userSeconds, sysSeconds, peakRssBytes };
}

async function sync(path: string): Promise<void> {
  await runQuiet(['sync', '--file-system', path]);
}

/**
 * Where the source tree landed in a restore target: all three tools mirror
 * the absolute source path below the target. Nothing else may be there.
 */
async function restoredRoot(target: string, source: string): Promise<string> {
  let at = target;
  for (const part of source.split('/').filter(Boolean)) {
    const entries = await readdir(at);
    if (entries.length !== 1 || entries[0] !== part) {
      throw new Error(`restore into ${target}: expected only "${part}" in ${at}, found ${JSON.stringify(entries.slice(0, 5))}`);
    }
    at = join(at, part);
  }
  return at;
}

async function bytesIfExists(dir: string): Promise<number | undefined> {
  return stat(dir).then(() => treeBytes(dir), () => undefined);
}

const MiB = 2 ** 20;

function describe(s: Sample, rounds: number): string {
  const parts = [
    `${s.wallSeconds.toFixed(2)} s`, `CPU ${(s.userSeconds + s.sysSeconds).toFixed(2)} s`, `RSS ${(s.peakRssBytes / MiB).toFixed(0)} MiB`,
    ...(s.repoBytes === undefined ? [] : [`repo ${(s.repoBytes / MiB).toFixed(1)} MiB`]),
  ];
  return `round ${s.round}/${rounds} ${s.step.padEnd(8)} ${s.participant.padEnd(6)} ${parts.join(', ')}`;
}
