import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chooseProgress, JsonProgress, NullProgress, TtyProgress, type ProgressUpdate } from './progress.js';

class FakeTerminal {
  readonly writes: string[] = [];
  constructor(readonly columns?: number) {}
  write(text: string): void {
    this.writes.push(text);
  }
  /** What a terminal would show on its current line after all writes. */
  get line(): string {
    let line = '';
    for (const w of this.writes) {
      for (const part of w.split('\r')) line = part === '' ? line : part.replace(/^\x1b\[2K/, '');
      if (w.endsWith('\r\x1b[2K')) line = '';
    }
    return line;
  }
}

function fakeClock(): { now: number; clock: () => number } {
  const state = { now: 0, clock: () => state.now };
  return state;
}

const at = (files: number, bytes: number, extra: Partial<ProgressUpdate> = {}): ProgressUpdate => ({
  phase: 'backup',
  files,
  bytes,
  ...extra,
});

test('TtyProgress draws at most every 200 ms', () => {
  const term = new FakeTerminal(100);
  const time = fakeClock();
  const progress = new TtyProgress(term, time.clock);
  const drawnAt: number[] = [];
  for (const t of [0, 50, 199, 200, 350, 399, 400, 401]) {
    time.now = t;
    const before = term.writes.length;
    progress.update(at(t, t * 1000));
    if (term.writes.length > before) drawnAt.push(t);
  }
  assert.deepEqual(drawnAt, [0, 200, 400]);
  assert.ok(term.writes.every((w) => w.startsWith('\r\x1b[2K')));
});

test('TtyProgress draws at once when the phase changes', () => {
  const term = new FakeTerminal(100);
  const time = fakeClock();
  const progress = new TtyProgress(term, time.clock);
  progress.update(at(1, 1));
  time.now = 10;
  progress.update({ phase: 'index', files: 0, bytes: 0 });
  assert.equal(term.writes.length, 2);
  assert.match(term.line, /^index /);
});

test('TtyProgress shows files, bytes, totals, rate and ETA', () => {
  const term = new FakeTerminal(120);
  const time = fakeClock();
  const progress = new TtyProgress(term, time.clock);
  const total = { totalFiles: 100, totalBytes: 10 * 1024 * 1024 };
  progress.update(at(0, 0, total));
  assert.doesNotMatch(term.line, /\/s/, 'no rate from a single sample');
  time.now = 1000;
  progress.update(at(10, 1024 * 1024, total));
  assert.equal(term.line, 'backup  10/100 files  1.0 MiB/10.0 MiB (10%)  1.0 MiB/s  ETA 9s');
});

test('TtyProgress averages the rate over a moving window', () => {
  const term = new FakeTerminal(120);
  const time = fakeClock();
  const progress = new TtyProgress(term, time.clock);
  // 1 MiB/s for 10 s, then 4 MiB/s: after 5 s more only the new rate remains.
  let bytes = 0;
  for (let t = 0; t <= 10_000; t += 500) {
    time.now = t;
    bytes = (t / 1000) * 1024 * 1024;
    progress.update(at(1, bytes));
  }
  assert.match(term.line, / 1\.0 MiB\/s/);
  for (let t = 10_500; t <= 16_000; t += 500) {
    time.now = t;
    bytes += 2 * 1024 * 1024;
    progress.update(at(1, bytes));
  }
  assert.match(term.line, / 4\.0 MiB\/s/);
});

test('TtyProgress fits the current path into the terminal width, keeping its end', () => {
  const term = new FakeTerminal(50);
  const progress = new TtyProgress(term, () => 0);
  const path = '/home/ann/projects/coffer/src/some/deeply/nested/folder/file-name.ts';
  progress.update(at(3, 2048, { currentPath: path }));
  const line = term.line;
  assert.equal(Array.from(line).length, 49);
  assert.match(line, /^backup  3 files  2\.0 KiB  …/);
  assert.ok(line.endsWith('folder/file-name.ts'));
});

test('TtyProgress drops the path when there is no room and cuts an overlong line', () => {
  const narrow = new FakeTerminal(20);
  new TtyProgress(narrow, () => 0).update(at(12345, 5 * 1024 ** 3, { currentPath: '/x/y' }));
  assert.equal(Array.from(narrow.line).length, 19);
  assert.ok(narrow.line.endsWith('…'));
  const medium = new FakeTerminal(30);
  new TtyProgress(medium, () => 0).update(at(1, 1, { currentPath: '/some/path/name' }));
  assert.equal(medium.line, 'backup  1 files  1 B');
});

test('TtyProgress neutralises control characters in paths', () => {
  const term = new FakeTerminal(80);
  new TtyProgress(term, () => 0).update(at(1, 1, { currentPath: '/tmp/evil\n\x1b[2Jname' }));
  assert.equal(term.writes.length, 1);
  assert.ok(!term.writes[0]?.slice(4).includes('\x1b'), 'only the leading clear-line sequence');
  assert.ok(!term.writes[0]?.includes('\n'));
});

test('TtyProgress.done clears the line and ignores later updates', () => {
  const term = new FakeTerminal(80);
  const time = fakeClock();
  const progress = new TtyProgress(term, time.clock);
  progress.update(at(1, 1));
  progress.done();
  assert.equal(term.writes.at(-1), '\r\x1b[2K');
  assert.equal(term.line, '');
  time.now = 10_000;
  progress.update(at(2, 2));
  progress.done();
  assert.equal(term.writes.length, 2);
});

test('TtyProgress.clear erases the line and the next update redraws at once', () => {
  const term = new FakeTerminal(80);
  const time = fakeClock();
  const progress = new TtyProgress(term, time.clock);
  progress.update(at(1, 1));
  progress.clear();
  assert.equal(term.line, '');
  time.now = 10;
  progress.update(at(2, 2));
  assert.match(term.line, /2 files/);
});

test('TtyProgress.done writes nothing when nothing was drawn', () => {
  const term = new FakeTerminal(80);
  new TtyProgress(term, () => 0).done();
  assert.deepEqual(term.writes, []);
});

test('JsonProgress emits at most once a second and flushes the last state on done', () => {
  const term = new FakeTerminal();
  const time = fakeClock();
  const progress = new JsonProgress(term, time.clock);
  for (const t of [0, 400, 999, 1000, 1500, 1700]) {
    time.now = t;
    progress.update(at(t, t, { totalBytes: 5000, currentPath: '/a' }));
  }
  progress.done();
  progress.done();
  const lines = term.writes.map((w) => {
    assert.ok(w.endsWith('\n'));
    return JSON.parse(w) as Record<string, unknown>;
  });
  assert.deepEqual(lines.map((l) => l['files']), [0, 1000, 1700]);
  assert.deepEqual(lines[0], { type: 'progress', phase: 'backup', files: 0, bytes: 0, totalBytes: 5000, currentPath: '/a' });
});

test('JsonProgress emits at once on a phase change and not twice on done', () => {
  const term = new FakeTerminal();
  const time = fakeClock();
  const progress = new JsonProgress(term, time.clock);
  progress.update(at(1, 1));
  time.now = 1;
  progress.update({ phase: 'index', files: 0, bytes: 0 });
  progress.done();
  assert.deepEqual(
    term.writes.map((w) => (JSON.parse(w) as { phase: string }).phase),
    ['backup', 'index'],
  );
});

test('chooseProgress: quiet wins, json gives JSON lines, a TTY gets a live line, else nothing', () => {
  const stream = new FakeTerminal();
  assert.ok(chooseProgress({ isTTY: true, json: true, quiet: true, stream }) instanceof NullProgress);
  assert.ok(chooseProgress({ isTTY: false, json: true, quiet: false, stream }) instanceof JsonProgress);
  assert.ok(chooseProgress({ isTTY: true, json: true, quiet: false, stream }) instanceof JsonProgress);
  assert.ok(chooseProgress({ isTTY: true, json: false, quiet: false, stream }) instanceof TtyProgress);
  assert.ok(chooseProgress({ isTTY: false, json: false, quiet: false, stream }) instanceof NullProgress);
});
