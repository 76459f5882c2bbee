/**
 * The text form of a key export (docs/format.md "Key export"): a payload in
 * Crockford Base32, 32 symbols a line in groups of four, each line numbered
 * and followed by a four-symbol checksum over its number and symbols, and a
 * closing line with a checksum of the whole payload and the line count. It
 * is meant to be printed and, one day, typed back in: a typo is caught by
 * its line's checksum (20 bits), a missing, repeated or swapped line by the
 * numbering, and anything else by the final checksum (80 bits). For a line
 * with one wrong symbol, the parser names the symbol and the fix.
 */
import { sha256 } from '../crypto/index.js';
import { FormatError } from '../errors.js';
import { BASE32_ALPHABET, canonicalBase32Symbol, decodeBase32, encodeBase32 } from '../format/index.js';

export const KEY_EXPORT_TITLE = 'coffer key export v1';
const SYMBOLS_PER_LINE = 32;
const GROUP = 4;
const LINE_CHECK = 4;
const TOTAL_CHECK = 16;

/** What the header says; the payload is authoritative, the header is cross-checked against it. */
export interface KeyExportHeader {
  /** 64 hex digits. */
  readonly repository: string;
  /** `none`, or `passphrase (scrypt N=... r=... p=...)`. */
  readonly protection: string;
}

/** The checksum of data line `n` (from 1): SHA256("coffer/v1/key-export/line/" || n || ":" || symbols), 4 symbols. */
export function lineChecksum(n: number, symbols: string): string {
  return encodeBase32(sha256(Buffer.from(`coffer/v1/key-export/line/${n}:${symbols}`, 'ascii'))).slice(0, LINE_CHECK);
}

/** The checksum of the whole payload: SHA256("coffer/v1/key-export" || 0x00 || payload), 16 symbols (80 bits). */
export function payloadChecksum(payload: Uint8Array): string {
  return encodeBase32(sha256(Buffer.concat([Buffer.from('coffer/v1/key-export\0', 'ascii'), payload]))).slice(0, TOTAL_CHECK);
}

const groups = (symbols: string) => symbols.match(new RegExp(`.{1,${GROUP}}`, 'g'))?.join(' ') ?? '';

/** The printable text of a key export. */
export function renderKeyExport(header: KeyExportHeader, payload: Uint8Array): string {
  const symbols = encodeBase32(payload);
  const lines: string[] = [];
  const count = Math.ceil(symbols.length / SYMBOLS_PER_LINE);
  const width = String(count).length < 2 ? 2 : String(count).length;
  for (let n = 1; n <= count; n++) {
    const chunk = symbols.slice((n - 1) * SYMBOLS_PER_LINE, n * SYMBOLS_PER_LINE);
    const body = groups(chunk).padEnd(SYMBOLS_PER_LINE + SYMBOLS_PER_LINE / GROUP - 1);
    lines.push(`${String(n).padStart(width, '0')}  ${body}  ${lineChecksum(n, chunk)}`);
  }
  return [
    KEY_EXPORT_TITLE,
    `repository ${header.repository}`,
    `protection ${header.protection}`,
    '# The full key of this coffer repository. Anyone holding this text (and its passphrase, if it',
    '# has one) can read and change every backup. Restore it with: coffer key import FILE',
    '',
    ...lines,
    '',
    `checksum ${groups(payloadChecksum(payload))} (${count} lines)`,
    '',
  ].join('\n');
}

/**
 * Parses the text (case, spacing, blank and `#` lines are free; O, I and L
 * are read as 0, 1 and 1). Every problem found is reported in one
 * FormatError, by line, with the fix when a single symbol is wrong.
 */
export function parseKeyExport(text: string): { header: KeyExportHeader; payload: Buffer } {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  const [title, ...rest] = lines;
  if (title?.toLowerCase() !== KEY_EXPORT_TITLE) {
    throw new FormatError(`key export: the first line must be "${KEY_EXPORT_TITLE}" (is this a coffer key export?)`);
  }
  let repository: string | undefined;
  let protection: string | undefined;
  let closing: { checksum: string; count: number } | undefined;
  const data = new Map<number, string[]>();
  const problems: string[] = [];
  for (const line of rest) {
    const [word = '', ...tokens] = line.split(/\s+/);
    if (/^repository$/i.test(word)) repository = tokens.join('').toLowerCase();
    else if (/^protection$/i.test(word)) protection = tokens.join(' ');
    else if (/^checksum$/i.test(word)) {
      const match = /^(.*?)\((\d+) lines?\)$/i.exec(tokens.join(' '));
      if (!match) problems.push('the checksum line must read "checksum XXXX XXXX XXXX XXXX (N lines)"');
      else closing = { checksum: match[1]!.replace(/[\s-]/g, ''), count: Number(match[2]) };
    } else if (/^\d+$/.test(word)) {
      const n = Number(word);
      if (data.has(n)) problems.push(`line ${n} appears twice`);
      else data.set(n, tokens);
    } else problems.push(`cannot read the line starting ${JSON.stringify(word.slice(0, 20))}`);
  }
  if (repository === undefined || !/^[0-9a-f]{64}$/.test(repository)) problems.push('the "repository" line (64 hex digits) is missing or damaged');
  if (closing === undefined && !problems.some((p) => p.startsWith('the checksum line'))) problems.push('the closing "checksum" line is missing');
  const count = closing?.count ?? Math.max(0, ...data.keys());
  for (const n of data.keys()) if (n < 1 || n > count) problems.push(`line ${n} is past the last line (${count})`);
  let symbols = '';
  for (let n = 1; n <= count; n++) {
    const tokens = data.get(n);
    if (tokens === undefined) {
      problems.push(`line ${n} is missing`);
      continue;
    }
    const checked = checkLine(n, tokens, n === count);
    if (typeof checked === 'string') symbols += checked;
    else problems.push(checked.problem);
  }
  if (problems.length > 0) throw new FormatError(`key export: ${problems.join('; ')}`);
  let payload: Buffer;
  try {
    payload = decodeBase32(symbols);
  } catch {
    throw new FormatError('key export: the last line has a symbol too many or too few');
  }
  const expected = closing!.checksum.toUpperCase().replace(/[OIL]/g, (c) => canonicalBase32Symbol(c)!);
  if (payloadChecksum(payload) !== expected) {
    throw new FormatError(
      'key export: every line matches its own checksum but the closing checksum does not match: check the checksum line, and that no line is missing at the end',
    );
  }
  return { header: { repository: repository!, protection: protection ?? '' }, payload };
}

/** A line's canonical symbols, or the problem with it. */
function checkLine(n: number, tokens: readonly string[], last: boolean): string | { problem: string } {
  if (tokens.length < 2) return { problem: `line ${n} needs its symbols and a checksum` };
  const typed = tokens.slice(0, -1).join('') + tokens[tokens.length - 1];
  let canonical = '';
  for (const [i, char] of [...typed].entries()) {
    const symbol = canonicalBase32Symbol(char);
    if (symbol === undefined) return { problem: `line ${n}: ${JSON.stringify(char)} (${describePosition(i, typed.length)}) is not a symbol of the export` };
    canonical += symbol;
  }
  const symbols = canonical.slice(0, -LINE_CHECK);
  const check = canonical.slice(-LINE_CHECK);
  if (tokens[tokens.length - 1]!.length !== LINE_CHECK) return { problem: `line ${n}: the checksum at the end of the line must have ${LINE_CHECK} symbols` };
  if ((!last && symbols.length !== SYMBOLS_PER_LINE) || symbols.length === 0 || symbols.length > SYMBOLS_PER_LINE) {
    return { problem: `line ${n} has ${symbols.length} symbols before its checksum, not ${last ? `1 to ${SYMBOLS_PER_LINE}` : SYMBOLS_PER_LINE} (one is missing or extra)` };
  }
  if (lineChecksum(n, symbols) === check) return symbols;
  return { problem: `line ${n} does not match its checksum: ${suggestFix(n, canonical)}` };
}

/** Every single-symbol change to the line (symbols and checksum) that makes it match, described. */
function suggestFix(n: number, canonical: string): string {
  const fixes: string[] = [];
  for (let i = 0; i < canonical.length; i++) {
    for (const symbol of BASE32_ALPHABET) {
      if (symbol === canonical[i]) continue;
      const candidate = canonical.slice(0, i) + symbol + canonical.slice(i + 1);
      if (lineChecksum(n, candidate.slice(0, -LINE_CHECK)) === candidate.slice(-LINE_CHECK)) {
        fixes.push(`${describePosition(i, canonical.length)} should probably be ${symbol}, not ${canonical[i]}`);
      }
    }
  }
  if (fixes.length === 1) return fixes[0]!;
  if (fixes.length > 1) return `one symbol is wrong, but several fixes would match (${fixes.join(', or ')}); compare it with the original`;
  return 'more than one symbol is wrong; compare it with the original';
}

/** "symbol 14 (group 4)" for a data symbol, "checksum symbol 2" for the line's checksum. */
function describePosition(i: number, length: number): string {
  const checkStart = length - LINE_CHECK;
  if (i >= checkStart) return `checksum symbol ${i - checkStart + 1}`;
  return `symbol ${i + 1} (group ${Math.floor(i / GROUP) + 1}, position ${(i % GROUP) + 1})`;
}
