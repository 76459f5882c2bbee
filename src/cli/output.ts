/**
 * Printing helpers for commands: JSON lines for scripts, aligned tables and
 * warnings for people. Text that came from the filesystem or the repository
 * (paths, hostnames, tags) is made safe for a terminal first, so a file name
 * holding a newline or an escape sequence cannot forge or garble output.
 */
import type { Warning } from '../errors.js';

/** The part of a writable stream that output needs. */
export interface TextSink {
  write(text: string): unknown;
}

/** Writes `value` as one line of JSON. */
export function printJson(stream: TextSink, value: unknown): void {
  stream.write(`${JSON.stringify(value)}\n`);
}

/** Replaces C0/C1 control characters (newline, tab, ESC, DEL …) with `?`. */
export function sanitizeForTerminal(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}

export type Alignment = 'left' | 'right';

export interface TableOptions {
  /** Per-column alignment; columns not listed are left-aligned. Right suits numbers and sizes. */
  readonly align?: readonly Alignment[];
}

/**
 * An aligned table: the header line, a rule of dashes, then one line per row,
 * columns two spaces apart, no trailing spaces, ending in a newline. Rows
 * shorter than the header are padded with empty cells; longer rows are a
 * programming error.
 */
export function renderTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  options: TableOptions = {},
): string {
  for (const row of rows) {
    if (row.length > headers.length) {
      throw new RangeError(`table row has ${row.length} cells for ${headers.length} columns`);
    }
  }
  const cells = [headers, ...rows].map((row) => headers.map((_, i) => sanitizeForTerminal(row[i] ?? '')));
  const widths = headers.map((_, i) => Math.max(...cells.map((row) => width(row[i] ?? ''))));
  const line = (row: readonly string[]): string =>
    row
      .map((cell, i) => {
        const target = widths[i] ?? 0;
        return options.align?.[i] === 'right' ? padStart(cell, target) : padEnd(cell, target);
      })
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  const [head = [], ...body] = cells;
  return [line(head), rule, ...body.map(line)].join('\n') + '\n';
}

/** A warning as one stderr line, without the newline: `warning: <message>`. */
export function formatWarning(warning: Pick<Warning, 'message'>): string {
  return `warning: ${sanitizeForTerminal(warning.message)}`;
}

/** Display width counted in code points (no wide-character tables). */
export function width(text: string): number {
  let n = 0;
  for (const _ of text) n += 1;
  return n;
}

function padEnd(text: string, target: number): string {
  return text + ' '.repeat(Math.max(0, target - width(text)));
}

function padStart(text: string, target: number): string {
  return ' '.repeat(Math.max(0, target - width(text))) + text;
}
