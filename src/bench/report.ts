/**
 * The Markdown summary of a run: medians per tool and step, every figure's
 * ratio coffer/restic and coffer/borg, the physical limits, and the
 * targets of issue 3 checked against the coffer/restic ratios.
 */
import { STEP_TITLES, type BenchResult, type Metrics, type Step } from './result.js';
import type { ToolName } from './tools/tool.js';

const MiB = 2 ** 20;

interface Figure {
  readonly label: string;
  readonly pick: (m: Metrics) => number | undefined;
  readonly format: (v: number) => string;
}

const seconds = (v: number): string => (v < 10 ? v.toFixed(2) : v.toFixed(1));
const mib = (v: number): string => (v / MiB < 10 ? (v / MiB).toFixed(1) : (v / MiB).toFixed(0));

const FIGURES: readonly Figure[] = [
  { label: 'time (s)', pick: (m) => m.wallSeconds, format: seconds },
  { label: 'CPU user+sys (s)', pick: (m) => m.cpuSeconds, format: seconds },
  { label: 'peak RSS (MiB)', pick: (m) => m.peakRssBytes, format: mib },
  { label: 'repository (MiB)', pick: (m) => m.repoBytes, format: mib },
];

/** Comparisons the issue sets for coffer against restic (ratio must be at most `limit`). */
const TARGETS: readonly { step: Step; figure: string; limit: number }[] = [
  { step: 'first', figure: 'time (s)', limit: 0.8 },
  { step: 'nochange', figure: 'time (s)', limit: 0.5 },
  { step: 'mutated', figure: 'time (s)', limit: 0.8 },
  { step: 'restore', figure: 'time (s)', limit: 0.8 },
  { step: 'check', figure: 'time (s)', limit: 1 },
  { step: 'mutated', figure: 'repository (MiB)', limit: 1 },
  ...(['init', 'first', 'nochange', 'mutated', 'restore', 'check'] as const).map((step) => ({ step, figure: 'peak RSS (MiB)', limit: 1 })),
];

function ratio(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined || b === undefined || b === 0 ? undefined : a / b;
}

const showRatio = (r: number | undefined): string => (r === undefined ? '' : r.toFixed(2));

export function renderMarkdown(result: BenchResult): string {
  const tools = result.tools;
  const others = tools.filter((t): t is Exclude<ToolName, 'coffer'> => t !== 'coffer');
  const withRatios = tools.includes('coffer') ? others : [];
  const m = (tool: string, step: Step): Metrics | undefined => result.medians[tool as ToolName]?.[step];
  const lines: string[] = [];
  const ds = result.dataset;

  lines.push(`### coffer, restic and borg on the ${ds.name} data set (${result.startedAt.slice(0, 10)})`, '');
  lines.push(
    `Data set \`${ds.key}\`: ${ds.files.toLocaleString('en')} files in ${ds.dirs.toLocaleString('en')} directories, `
      + `${mib(ds.bytes)} MiB; the mutation writes ${mib(ds.mutationBytes)} MiB. `
      + `Medians of ${result.rounds} round${result.rounds === 1 ? '' : 's'}`
      + `${result.plannedRounds === undefined ? '' : ` (partial result: ${result.rounds} of ${result.plannedRounds} rounds ran)`}, tools interleaved.`,
  );
  lines.push(`Versions: ${Object.entries(result.versions).map(([k, v]) => `${k} ${v}`).join('; ')}.`);
  const h = result.host;
  lines.push(
    `Host: ${h.cores} × ${h.cpu}, ${(h.memoryBytes / 2 ** 30).toFixed(0)} GiB, ${h.os}, node ${h.node}; `
      + `load average ${h.loadAverage[0].toFixed(1)} at start, ${h.loadAverage[1].toFixed(1)} at end (shared machine: only ratios within one run mean much).`,
  );
  lines.push(`Command: \`${result.command}\``, '');

  const header = ['step', 'figure', ...tools, ...withRatios.map((t) => `coffer/${t}`)];
  lines.push(`| ${header.join(' | ')} |`, `|${header.map((_, i) => (i < 2 ? '---' : '---:')).join('|')}|`);
  for (const step of result.steps) {
    for (const figure of FIGURES) {
      const values = tools.map((t) => { const x = m(t, step); return x === undefined ? undefined : figure.pick(x); });
      if (values.every((v) => v === undefined)) continue;
      const cofferValue = values[tools.indexOf('coffer')];
      const cells = [
        STEP_TITLES[step], figure.label,
        ...values.map((v) => (v === undefined ? '' : figure.format(v))),
        ...withRatios.map((t) => showRatio(ratio(cofferValue, values[tools.indexOf(t)]))),
      ];
      lines.push(`| ${cells.join(' | ')} |`);
    }
  }

  const limits: string[] = [];
  const cat = result.medians.cat?.first;
  if (cat !== undefined) limits.push(`\`cat\` of every file to /dev/null ${seconds(cat.wallSeconds)} s (${(ds.bytes / 1e6 / cat.wallSeconds).toFixed(0)} MB/s)`);
  const cp = result.medians.cp?.restore;
  if (cp !== undefined) {
    const perTool = tools.map((t) => { const r = ratio(m(t, 'restore')?.wallSeconds, cp.wallSeconds); return r === undefined ? '' : `${t} ${r.toFixed(2)}`; });
    limits.push(`\`cp -a\` of the tree ${seconds(cp.wallSeconds)} s; restore time ÷ cp -a time: ${perTool.filter(Boolean).join(', ')}`);
  }
  const first = tools.map((t) => { const x = m(t, 'first'); return x === undefined ? '' : `${t} ${(ds.bytes / 1e6 / x.wallSeconds).toFixed(0)} MB/s`; });
  if (first.some(Boolean)) limits.push(`first backup throughput: ${first.filter(Boolean).join(', ')}`);
  if (limits.length > 0) lines.push('', `Physical limits, timed in the same interleaving: ${limits.join('; ')}.`);

  if (tools.includes('coffer') && tools.includes('restic')) {
    const rows = TARGETS.flatMap(({ step, figure, limit }) => {
      const f = FIGURES.find((x) => x.label === figure)!;
      const c = m('coffer', step);
      const r = m('restic', step);
      const value = ratio(c && f.pick(c), r && f.pick(r));
      // Beside a time ratio, the CPU ratio: on a busy machine it is the steadier of the two.
      const cpu = figure === 'time (s)' ? ratio(c?.cpuSeconds, r?.cpuSeconds) : undefined;
      return value === undefined ? [] : [
        `| ${STEP_TITLES[step]} | ${figure.replace(/ \(.*\)$/, '')} | ≤ ${limit} | ${value.toFixed(2)} | ${value <= limit ? 'met' : 'NOT met'} | ${showRatio(cpu)} |`,
      ];
    });
    if (rows.length > 0) {
      lines.push('', 'Targets of issue 3 (coffer/restic):', '', '| step | figure | target | measured | | CPU time ratio |', '|---|---|---:|---:|---|---:|', ...rows);
    }
  }
  return `${lines.join('\n')}\n`;
}
