/**
 * Progress sinks for long operations. Pipelines call `update` as often as
 * they like (per file or per chunk); each sink throttles on its own injected
 * clock, so the cost of reporting stays flat and tests are deterministic.
 */
import { formatBytes, formatDuration, formatRate } from './format-bytes.js';
import { printJson, sanitizeForTerminal, width, type TextSink } from './output.js';

export interface ProgressUpdate {
  readonly phase: string;
  readonly files: number;
  readonly bytes: number;
  readonly totalFiles?: number;
  readonly totalBytes?: number;
  readonly currentPath?: string;
}

/** What pipelines report progress to. */
export interface ProgressSink {
  update(progress: ProgressUpdate): void;
  /** The operation ended; the sink cleans up and ignores later updates. */
  done(): void;
}

/** A sink the CLI holds: `clear` erases a live line so a warning can be printed; the next update redraws it. */
export interface CliProgressSink extends ProgressSink {
  clear(): void;
}

/** Milliseconds since some fixed point, like Date.now. */
export type Clock = () => number;

/** A terminal stream; `columns` is its width when known. */
export interface TerminalStream extends TextSink {
  readonly columns?: number;
}

const CLEAR_LINE = '\r\x1b[2K';
/** Rates are averaged over this window, so one slow file does not swing the ETA. */
const RATE_WINDOW_MS = 5000;
/** Narrower than this, the current path is left out rather than shown as a stub. */
const MIN_PATH_WIDTH = 8;

/** One line redrawn in place, at most every 200 ms (and at once when the phase changes). */
export class TtyProgress implements CliProgressSink {
  static readonly intervalMs = 200;
  private readonly samples: { time: number; bytes: number }[] = [];
  private phase: string | undefined;
  private lastDraw = -Infinity;
  private shown = false;
  private finished = false;

  constructor(
    private readonly stream: TerminalStream,
    private readonly clock: Clock = Date.now,
  ) {}

  update(progress: ProgressUpdate): void {
    if (this.finished) return;
    const now = this.clock();
    const phaseChanged = progress.phase !== this.phase;
    if (phaseChanged) {
      this.phase = progress.phase;
      this.samples.length = 0;
    } else if (now - this.lastDraw < TtyProgress.intervalMs) {
      return;
    }
    this.lastDraw = now;
    this.addSample(now, progress.bytes);
    this.stream.write(CLEAR_LINE + this.render(progress));
    this.shown = true;
  }

  clear(): void {
    if (this.shown) this.stream.write(CLEAR_LINE);
    this.shown = false;
    this.lastDraw = -Infinity;
  }

  done(): void {
    this.clear();
    this.finished = true;
  }

  private addSample(time: number, bytes: number): void {
    this.samples.push({ time, bytes });
    // Keep the newest sample at or before the window start as the baseline.
    while (this.samples.length > 2 && (this.samples[1]?.time ?? time) <= time - RATE_WINDOW_MS) {
      this.samples.shift();
    }
  }

  /** Bytes per second over the moving window, or undefined before two samples. */
  private rate(): number | undefined {
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    if (first === undefined || last === undefined || last.time <= first.time) return undefined;
    return ((last.bytes - first.bytes) * 1000) / (last.time - first.time);
  }

  private render(p: ProgressUpdate): string {
    const parts = [sanitizeForTerminal(p.phase)];
    parts.push(p.totalFiles === undefined ? `${p.files} files` : `${p.files}/${p.totalFiles} files`);
    if (p.totalBytes === undefined) {
      parts.push(formatBytes(p.bytes));
    } else {
      const percent = p.totalBytes > 0 ? Math.min(100, Math.floor((p.bytes / p.totalBytes) * 100)) : 100;
      parts.push(`${formatBytes(p.bytes)}/${formatBytes(p.totalBytes)} (${percent}%)`);
    }
    const rate = this.rate();
    if (rate !== undefined) {
      parts.push(formatRate(rate));
      if (p.totalBytes !== undefined && rate > 0) {
        parts.push(`ETA ${formatDuration(((Math.max(0, p.totalBytes - p.bytes)) / rate) * 1000)}`);
      }
    }
    // One column short of the width: writing the last column wraps on some terminals.
    // A pty may report 0 columns when its size was never set: treat that as unknown.
    const room = (this.stream.columns || 80) - 1;
    const line = parts.join('  ');
    if (width(line) >= room) return truncateEnd(line, room);
    const pathRoom = room - width(line) - 2;
    if (p.currentPath === undefined || pathRoom < MIN_PATH_WIDTH) return line;
    return `${line}  ${truncateStart(sanitizeForTerminal(p.currentPath), pathRoom)}`;
  }
}

/** JSON lines `{"type":"progress",…}` at most once a second, at once when the phase changes, and the last state on done. */
export class JsonProgress implements CliProgressSink {
  static readonly intervalMs = 1000;
  private pending: ProgressUpdate | undefined;
  private phase: string | undefined;
  private lastEmit = -Infinity;
  private finished = false;

  constructor(
    private readonly stream: TextSink,
    private readonly clock: Clock = Date.now,
  ) {}

  update(progress: ProgressUpdate): void {
    if (this.finished) return;
    const now = this.clock();
    this.pending = progress;
    if (progress.phase === this.phase && now - this.lastEmit < JsonProgress.intervalMs) return;
    this.phase = progress.phase;
    this.lastEmit = now;
    this.emit();
  }

  clear(): void {}

  done(): void {
    if (this.finished) return;
    this.emit();
    this.finished = true;
  }

  private emit(): void {
    const p = this.pending;
    if (p === undefined) return;
    this.pending = undefined;
    printJson(this.stream, {
      type: 'progress',
      phase: p.phase,
      files: p.files,
      bytes: p.bytes,
      totalFiles: p.totalFiles,
      totalBytes: p.totalBytes,
      currentPath: p.currentPath,
    });
  }
}

/** Reports nothing. */
export class NullProgress implements CliProgressSink {
  update(_progress: ProgressUpdate): void {}
  clear(): void {}
  done(): void {}
}

export interface ProgressChoice {
  /** Whether `stream` is a terminal. */
  readonly isTTY: boolean;
  readonly json: boolean;
  readonly quiet: boolean;
  readonly stream: TerminalStream;
  readonly clock?: Clock;
}

/** `--quiet` wins; `--json` gives JSON lines; otherwise a live line on a terminal and nothing elsewhere. */
export function chooseProgress(choice: ProgressChoice): CliProgressSink {
  if (choice.quiet) return new NullProgress();
  if (choice.json) return new JsonProgress(choice.stream, choice.clock);
  if (choice.isTTY) return new TtyProgress(choice.stream, choice.clock);
  return new NullProgress();
}

function truncateEnd(text: string, room: number): string {
  const chars = Array.from(text);
  return chars.length <= room ? text : chars.slice(0, Math.max(0, room - 1)).join('') + '…';
}

/** Keeps the end of a path (the file name), marking the cut with `…`. */
function truncateStart(text: string, room: number): string {
  const chars = Array.from(text);
  return chars.length <= room ? text : '…' + chars.slice(chars.length - (room - 1)).join('');
}
