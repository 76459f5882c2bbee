/**
 * `npm run bench`: coffer against restic and borg on the same generated data
 * set, on this machine, in one run. See bench/README.md for the method.
 */
import { spawnSync } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BenchUsageError, parseBenchArgs, USAGE } from './args.js';
import { FULL, QUICK, TINY } from './dataset/params.js';
import { runQuiet } from './measure.js';
import { renderMarkdown } from './report.js';
import { STEPS, type BenchResult } from './result.js';
import { runBenchmark } from './run.js';
import { borgDriver } from './tools/borg.js';
import { cofferDriver } from './tools/coffer.js';
import { resticDriver } from './tools/restic.js';
import { TOOL_NAMES, type ToolDriver } from './tools/tool.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const out = (text: string): void => void process.stdout.write(text);
const log = (line: string): void => void process.stderr.write(`${line}\n`);

async function main(argv: readonly string[]): Promise<number> {
  const args = parseBenchArgs(argv);
  if (args.help) {
    out(USAGE);
    return 0;
  }
  // restic, borg and GNU time from Debian when missing.
  const deps = spawnSync('bash', [join(ROOT, 'scripts/system-deps.sh'), 'bench'], { stdio: 'inherit' });
  if (deps.status !== 0) throw new Error('scripts/system-deps.sh bench failed');

  const params = { full: FULL, quick: QUICK, tiny: TINY }[args.dataset];
  const dataDir = args.dataDir ?? join(ROOT, 'bench/data');
  const resultsDir = args.resultsDir ?? join(ROOT, 'bench/results');
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const workDir = join(dataDir, 'work', stamp);
  const base = join(resultsDir, `${stamp}-${params.name}`);
  const drivers: ToolDriver[] = args.tools.map((name) => {
    if (name === 'coffer') return cofferDriver({ scryptN: args.scryptN, nodeArgs: args.cofferNodeArgs });
    return name === 'restic' ? resticDriver() : borgDriver();
  });

  // Taken before the run: the tree may change while it runs, the measured build does not.
  const commit = await commitOf(ROOT);
  const withCommit = (r: BenchResult): BenchResult => {
    const coffer = r.versions['coffer'];
    return coffer === undefined ? r : { ...r, versions: { ...r.versions, coffer: coffer + commit } };
  };
  const measured = await runBenchmark({
    params, rounds: args.rounds, drivers, steps: args.steps, baselines: args.baselines, dataDir, workDir, keep: args.keep,
    command: `npm run bench${argv.length > 0 ? ` -- ${argv.join(' ')}` : ''}`,
    settings: {
      coffer: `default chunker (512 KiB/1 MiB/8 MiB) and 16 MiB packs, zstd 3, key file scrypt ${args.scryptN === undefined ? 'default' : `N=${args.scryptN}`}`
        + (args.cofferNodeArgs.length > 0 ? `, node ${args.cofferNodeArgs.join(' ')}` : ''),
      restic: 'repository version 2, compression auto',
      borg: 'init -e repokey-blake2, create --compression zstd,3',
    },
    log,
    onRound: async (soFar) => {
      const partial = withCommit(soFar);
      await mkdir(resultsDir, { recursive: true });
      await writeFile(`${base}.partial.json`, `${JSON.stringify(partial, null, 1)}\n`);
      await writeFile(`${base}.partial.md`, renderMarkdown(partial));
      log(`after ${partial.rounds} of ${args.rounds} rounds: ${base}.partial.md`);
    },
  });
  const result = withCommit(measured);

  const markdown = renderMarkdown(result);
  await rm(`${base}.partial.json`, { force: true });
  await rm(`${base}.partial.md`, { force: true });
  await mkdir(resultsDir, { recursive: true });
  await writeFile(`${base}.json`, `${JSON.stringify(result, null, 1)}\n`);
  await writeFile(`${base}.md`, markdown);
  // A complete run also becomes the latest of its kind, which is committed.
  if (params !== TINY && args.tools.length === TOOL_NAMES.length && args.steps.length === STEPS.length && args.baselines) {
    await writeFile(join(resultsDir, `latest-${params.name}.json`), `${JSON.stringify(result, null, 1)}\n`);
    await writeFile(join(resultsDir, `latest-${params.name}.md`), markdown);
  }
  out(`\n${markdown}\nwritten: ${base}.json, ${base}.md\n`);

  if (args.micro) {
    const micro = spawnSync(process.execPath, ['--expose-gc', join(ROOT, 'dist/bench/micro/main.js'), ...(args.quick ? ['--quick'] : [])], { stdio: 'inherit' });
    if (micro.status !== 0) return 1;
  }
  return 0;
}

async function commitOf(root: string): Promise<string> {
  try {
    const commit = (await runQuiet(['git', '-C', root, 'rev-parse', '--short', 'HEAD'])).trim();
    const dirty = (await runQuiet(['git', '-C', root, 'status', '--porcelain', '--untracked-files=no'])).trim() !== '';
    return ` (commit ${commit}${dirty ? ', with uncommitted changes' : ''})`;
  } catch {
    return '';
  }
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (error: unknown) => {
    log(error instanceof BenchUsageError ? `bench: ${error.message}\n\n${USAGE}` : `bench failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
    process.exitCode = error instanceof BenchUsageError ? 2 : 1;
  },
);
