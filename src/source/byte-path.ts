/**
 * Paths as bytes. File names on POSIX systems are arbitrary byte strings
 * except '/' and NUL: they may hold newlines or bytes that are not UTF-8.
 * source/ therefore carries every path as a Buffer and converts to a string
 * only to show it to a person ({@link displayPath}) or to match a glob.
 */

const SLASH = Buffer.from('/');

/** `parent + '/' + name`, without doubling the slash when parent is `/`. */
export function joinPath(parent: Buffer, name: Buffer): Buffer {
  if (parent.length > 0 && parent[parent.length - 1] === 0x2f) return Buffer.concat([parent, name]);
  return Buffer.concat([parent, SLASH, name]);
}

/** Joins components onto a base path with '/'. */
export function joinPaths(base: Buffer, components: readonly Buffer[]): Buffer {
  const parts: Buffer[] = [base];
  let endsWithSlash = base.length > 0 && base[base.length - 1] === 0x2f;
  for (const component of components) {
    if (!endsWithSlash) parts.push(SLASH);
    parts.push(component);
    endsWithSlash = false;
  }
  return Buffer.concat(parts);
}

/** The last component of a path (everything after the last '/'). */
export function baseName(path: Buffer): Buffer {
  let end = path.length;
  while (end > 1 && path[end - 1] === 0x2f) end -= 1;
  if (end === 1 && path[0] === 0x2f) return path.subarray(0, 1); // the root is its own base name
  const slash = path.lastIndexOf(0x2f, end - 1);
  return path.subarray(slash + 1, end);
}

/** A Buffer path from a string (UTF-8) or a Buffer (kept as is). */
export function toBytes(path: string | Buffer): Buffer {
  return typeof path === 'string' ? Buffer.from(path, 'utf8') : path;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A printable, unambiguous rendering of a path: valid UTF-8 passes through,
 * a backslash becomes `\\`, control characters become `\n`, `\t` or `\xNN`,
 * and each byte that is not part of valid UTF-8 becomes `\xNN`. Distinct
 * paths give distinct strings, so the result also serves as a map key.
 */
export function displayPath(path: Buffer): string {
  let text: string;
  try {
    text = utf8.decode(path);
  } catch {
    return displayInvalid(path);
  }
  return escapeText(text);
}

function escapeText(text: string): string {
  return text.replace(/[\\\x00-\x1f\x7f]/g, (c) => {
    if (c === '\\') return '\\\\';
    if (c === '\n') return '\\n';
    if (c === '\t') return '\\t';
    return `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
  });
}

/** Slow path for invalid UTF-8: decode sequence by sequence. */
function displayInvalid(path: Buffer): string {
  let out = '';
  let i = 0;
  while (i < path.length) {
    const length = sequenceLength(path[i] ?? 0);
    if (length > 0 && i + length <= path.length) {
      try {
        out += escapeText(utf8.decode(path.subarray(i, i + length)));
        i += length;
        continue;
      } catch {
        // not a valid sequence: fall through and escape the lead byte
      }
    }
    out += `\\x${(path[i] ?? 0).toString(16).padStart(2, '0')}`;
    i += 1;
  }
  return out;
}

function sequenceLength(lead: number): number {
  if (lead < 0x80) return 1;
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 0;
}

/**
 * The inverse of {@link displayPath}: `\\`, `\n`, `\t` and `\xNN` become the
 * bytes they stand for, so a path shown by `ls` can be typed back. Any other
 * backslash is kept as it is.
 */
export function parseDisplayPath(text: string): Buffer {
  const parts: Buffer[] = [];
  let plain = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    const next = text[i + 1];
    if (c !== '\\' || next === undefined) {
      plain += c;
    } else if (next === '\\' || next === 'n' || next === 't') {
      plain += next === 'n' ? '\n' : next === 't' ? '\t' : '\\';
      i += 1;
    } else if (next === 'x' && /^[0-9a-f]{2}$/.test(text.slice(i + 2, i + 4))) {
      parts.push(Buffer.from(plain, 'utf8'), Buffer.of(parseInt(text.slice(i + 2, i + 4), 16)));
      plain = '';
      i += 3;
    } else {
      plain += c;
    }
  }
  parts.push(Buffer.from(plain, 'utf8'));
  return Buffer.concat(parts);
}
