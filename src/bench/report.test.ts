// The harness's own logic: medians, ratios and targets in the rendered
// table, step prerequisites, option errors, the interleaving order, the
// restore verification, and the rusage measurement.
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { BenchUsageError, parseBenchArgs, withPrerequisites } from './args.js';
import { CommandFailed, measure } from './measure.js';
import { renderMarkdown } from './report.js';
import { median, medians, STEPS, type BenchResult, type Participant, type Sample, type Step } from './result.js';
import { rotate } from './run.js';
import { compareTrees, TreeMismatch } from './tree.js';

const MiB = 2 ** 20;

function sample(round: number, participant: Participant, step: Step, wallSeconds: number, extra: Partial<Sample> = {}): Sample {
  return { round, participant, step, wallSeconds, userSeconds: wallSeconds / 2, sysSeconds: 0.1, peakRssBytes: 100 * MiB, ...extra };
}

function resultOf(samples: Sample[]): BenchResult {
  return {
    format: 'coffer-bench/1', startedAt: '2026-11-22T10:00:00.000Z', finishedAt: '2026-11-22T10:30:00.000Z', command: 'npm run bench -- --quick',
    host: { cpu: 'test cpu', cores: 2, memoryBytes: 24 * 2 ** 30, os: 'Linux', node: 'v20', loadAverage: [1, 2] },
    versions: { coffer: '0.1.0', restic: '0.14.0', borg: '1.2.4' }, settings: {},
    dataset: { name: 'quick', key: 'quick-abc', files: 4011, dirs: 500, bytes: 171 * MiB, mutationBytes: 2 * MiB },
    rounds: 3, tools: ['coffer', 'restic', 'borg'], steps: ['init', 'first', 'restore'], samples, medians: medians(samples),
  };
}

test('the table shows medians, both ratios for every figure, the physical limits and the targets', () => {
  const samples: Sample[] = [];
  for (const round of [1, 2, 3]) {
    // coffer's first backup: 7, 8, 30 s (median 8); restic's 10 s; borg's 16 s.
    samples.push(sample(round, 'coffer', 'first', [7, 8, 30][round - 1]!, { repoBytes: 50 * MiB, peakRssBytes: 150 * MiB }));
    samples.push(sample(round, 'restic', 'first', 10, { repoBytes: 40 * MiB }));
    samples.push(sample(round, 'borg', 'first', 16, { repoBytes: 100 * MiB }));
    samples.push(sample(round, 'cat', 'first', 1));
    for (const tool of ['coffer', 'restic', 'borg'] as const) samples.push(sample(round, tool, 'init', 1), sample(round, tool, 'restore', 4));
    samples.push(sample(round, 'cp', 'restore', 2));
  }
  const md = renderMarkdown(resultOf(samples));
  assert.match(md, /\| step \| figure \| coffer \| restic \| borg \| coffer\/restic \| coffer\/borg \|/);
  assert.match(md, /\| first backup \| time \(s\) \| 8\.00 \| 10\.0 \| 16\.0 \| 0\.80 \| 0\.50 \|/);
  assert.match(md, /\| first backup \| repository \(MiB\) \| 50 \| 40 \| 100 \| 1\.25 \| 0\.50 \|/);
  assert.match(md, /\| first backup \| peak RSS \(MiB\) \| 150 \| 100 \| 100 \| 1\.50 \| 1\.50 \|/);
  // CPU: coffer 8/2 + 0.1 = 4.1 s, restic 10/2 + 0.1 = 5.1 s.
  assert.match(md, /\| first backup \| time \| ≤ 0\.8 \| 0\.80 \| met \| 0\.80 \|/);
  assert.match(md, /\| first backup \| peak RSS \| ≤ 1 \| 1\.50 \| NOT met \|  \|/);
  assert.match(md, /restore time ÷ cp -a time: coffer 2\.00, restic 2\.00, borg 2\.00/);
  assert.match(md, /`cat` of every file to \/dev\/null 1\.00 s/);
  assert.doesNotMatch(md, /no-change/, 'steps that did not run are not shown');
  assert.doesNotMatch(md, /partial/);
  assert.match(renderMarkdown({ ...resultOf(samples), rounds: 2, plannedRounds: 3 }), /Medians of 2 rounds \(partial result: 2 of 3 rounds ran\)/);
});

test('without coffer there are no ratio columns; medians of even counts average the middle two', () => {
  const md = renderMarkdown({ ...resultOf([sample(1, 'restic', 'first', 3), sample(1, 'borg', 'first', 5)]), tools: ['restic', 'borg'] });
  assert.match(md, /\| step \| figure \| restic \| borg \|\n/);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(median([5]), 5);
});

test('steps bring their prerequisites; bad options are usage errors', () => {
  assert.deepEqual(withPrerequisites(['restore']), ['init', 'first', 'restore']);
  assert.deepEqual(withPrerequisites(['init']), ['init']);
  assert.deepEqual(withPrerequisites([...STEPS]), [...STEPS]);
  const quick = parseBenchArgs(['--quick', '--tools', 'restic,coffer', '--steps', 'nochange']);
  assert.deepEqual([quick.dataset, quick.rounds, quick.tools, quick.steps], ['quick', 1, ['coffer', 'restic'], ['init', 'first', 'nochange']]);
  assert.equal(parseBenchArgs([]).rounds, 3);
  assert.deepEqual(parseBenchArgs(['--coffer-node-arg=--cpu-prof', '--coffer-node-arg=--cpu-prof-dir=/tmp/p']).cofferNodeArgs, ['--cpu-prof', '--cpu-prof-dir=/tmp/p']);
  assert.throws(() => parseBenchArgs(['--tools', 'tar']), BenchUsageError);
  assert.throws(() => parseBenchArgs(['--rounds', '0']), BenchUsageError);
  assert.throws(() => parseBenchArgs(['--fast']), BenchUsageError);
});

test('each round starts the interleaving one place later', () => {
  assert.deepEqual([0, 1, 2, 3].map((r) => rotate(['a', 'b', 'c'], r).join('')), ['abc', 'bca', 'cab', 'abc']);
});

test('a restore that differs from its source by one byte, or by an extra file, is refused', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'coffer-bench-tree-'));
  try {
    for (const side of ['a', 'b']) {
      await mkdir(join(dir, side, 'sub'), { recursive: true });
      await writeFile(join(dir, side, 'sub', 'f'), Buffer.alloc(3 * MiB, 7));
    }
    assert.deepEqual(await compareTrees(join(dir, 'a'), join(dir, 'b')), { files: 1, bytes: 3 * MiB });
    const changed = Buffer.alloc(3 * MiB, 7);
    changed[2 * MiB + 5] = 8;
    await writeFile(join(dir, 'b', 'sub', 'f'), changed);
    await assert.rejects(compareTrees(join(dir, 'a'), join(dir, 'b')), (e: Error) => e instanceof TreeMismatch && /sub\/f: content differs at byte 2097157/.test(e.message));
    await writeFile(join(dir, 'b', 'sub', 'f'), Buffer.alloc(3 * MiB, 7));
    await writeFile(join(dir, 'b', 'extra'), 'x');
    await assert.rejects(compareTrees(join(dir, 'a'), join(dir, 'b')), /unexpected: extra/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('measure reports the peak RSS and CPU time of a child, and fails loudly on a non-zero exit', async () => {
  const m = await measure({ argv: [process.execPath, '-e', 'Buffer.alloc(96 * 2 ** 20, 1)'] });
  assert.ok(m.peakRssBytes > 96 * MiB && m.peakRssBytes < 1024 * MiB, `peak RSS ${m.peakRssBytes}`);
  assert.ok(m.userSeconds + m.sysSeconds > 0 && m.wallSeconds > 0);
  await assert.rejects(measure({ argv: ['sh', '-c', 'echo broken >&2; exit 3'] }), (e: Error) => e instanceof CommandFailed && /exit 3\nbroken/.test(e.message));
});
