/** Parsing of size flags like `512K`, `16M`, `1G`. */
import { UsageError } from '../errors.js';

const UNITS: Record<string, number> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 };

export function parseSize(text: string, flag: string): number {
  const match = /^(\d+)([KMG]?)(i?B)?$/i.exec(text.trim());
  if (!match) throw new UsageError(`${flag}: "${text}" is not a size (for example 512K, 16M)`);
  return Number(match[1]) * UNITS[match[2]!.toUpperCase()]!;
}

/** `--read-data-subset 10%` or `0.1`. */
export function parseFraction(text: string, flag: string): number {
  const percent = /^(\d+(?:\.\d+)?)%$/.exec(text);
  const value = percent ? Number(percent[1]) / 100 : Number(text);
  if (!Number.isFinite(value) || value <= 0 || value > 1) throw new UsageError(`${flag}: "${text}" must be a percentage in (0%, 100%]`);
  return value;
}
