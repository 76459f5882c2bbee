/** Command-line options of `npm run bench`. */
import { parseArgs } from 'node:util';
import { STEPS, type Step } from './result.js';
import { TOOL_NAMES, type ToolName } from './tools/tool.js';

export interface BenchArgs {
  readonly quick: boolean;
  /** Data set: full (default), quick, or tiny (a few MiB, to try the harness itself). */
  readonly dataset: 'full' | 'quick' | 'tiny';
  readonly rounds: number;
  readonly tools: readonly ToolName[];
  /** Steps asked for plus their prerequisites, in run order. */
  readonly steps: readonly Step[];
  readonly baselines: boolean;
  readonly dataDir?: string;
  readonly resultsDir?: string;
  readonly keep: boolean;
  readonly scryptN?: number;
  /** Extra node options for every coffer command, e.g. --cpu-prof. */
  readonly cofferNodeArgs: readonly string[];
  readonly micro: boolean;
  readonly help: boolean;
}

export const USAGE = `usage: npm run bench -- [options]

  --quick               ~170 MiB data set, 1 round (default: ~1 GiB, 3 rounds)
  --dataset NAME        full, quick or tiny (a few MiB, to try the harness itself)
  --rounds N            rounds to run (medians are reported)
  --tools LIST          comma-separated, from coffer,restic,borg (default: all)
  --steps LIST          from init,first,nochange,mutated,restore,check (default: all);
                        prerequisites (init, first) are added
  --no-baselines        skip the cat and cp -a baselines
  --data-dir DIR        where data sets are cached and work is done (default bench/data)
  --results-dir DIR     where results are written (default bench/results)
  --keep                keep repositories and caches (in DATA_DIR/work/...)
  --scrypt-n N          coffer key file cost (default: coffer's own default)
  --coffer-node-arg A   node option for every coffer command (repeatable), e.g.
                        --coffer-node-arg=--cpu-prof --coffer-node-arg=--cpu-prof-dir=/tmp/prof
  --micro               also run the micro-benchmarks (npm run bench:micro)
`;

/** An option value that makes no sense. */
export class BenchUsageError extends Error {
  override readonly name = 'BenchUsageError';
}

export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        quick: { type: 'boolean', default: false },
        dataset: { type: 'string' },
        rounds: { type: 'string' },
        tools: { type: 'string' },
        steps: { type: 'string' },
        'no-baselines': { type: 'boolean', default: false },
        'data-dir': { type: 'string' },
        'results-dir': { type: 'string' },
        keep: { type: 'boolean', default: false },
        'scrypt-n': { type: 'string' },
        'coffer-node-arg': { type: 'string', multiple: true },
        micro: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    throw new BenchUsageError((error as Error).message);
  }
  const quick = parsed.quick === true;
  const dataset = parsed.dataset ?? (quick ? 'quick' : 'full');
  if (dataset !== 'full' && dataset !== 'quick' && dataset !== 'tiny') throw new BenchUsageError(`--dataset: unknown "${dataset}" (expected full, quick, tiny)`);
  const rounds = parsed.rounds === undefined ? (dataset === 'full' ? 3 : 1) : positiveInteger(parsed.rounds, '--rounds');
  return {
    quick,
    dataset,
    rounds,
    tools: parsed.tools === undefined ? [...TOOL_NAMES] : list(parsed.tools, TOOL_NAMES, '--tools'),
    steps: withPrerequisites(parsed.steps === undefined ? [...STEPS] : list(parsed.steps, STEPS, '--steps')),
    baselines: parsed['no-baselines'] !== true,
    dataDir: parsed['data-dir'],
    resultsDir: parsed['results-dir'],
    keep: parsed.keep === true,
    scryptN: parsed['scrypt-n'] === undefined ? undefined : positiveInteger(parsed['scrypt-n'], '--scrypt-n'),
    cofferNodeArgs: parsed['coffer-node-arg'] ?? [],
    micro: parsed.micro === true,
    help: parsed.help === true,
  };
}

/** Every step needs a repository (init); every step after init needs a snapshot (first). */
export function withPrerequisites(steps: readonly Step[]): Step[] {
  const wanted = new Set<Step>(steps);
  if (wanted.size > 0) wanted.add('init');
  if ([...wanted].some((s) => s !== 'init')) wanted.add('first');
  return STEPS.filter((s) => wanted.has(s));
}

function list<T extends string>(value: string, allowed: readonly T[], option: string): T[] {
  const items = value.split(',').map((s) => s.trim()).filter(Boolean);
  if (items.length === 0) throw new BenchUsageError(`${option}: empty list`);
  for (const item of items) {
    if (!(allowed as readonly string[]).includes(item)) throw new BenchUsageError(`${option}: unknown "${item}" (expected ${allowed.join(', ')})`);
  }
  return allowed.filter((a) => items.includes(a));
}

function positiveInteger(value: string, option: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new BenchUsageError(`${option}: expected a positive integer, got "${value}"`);
  return n;
}
