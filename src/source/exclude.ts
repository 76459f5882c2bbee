import { readFile } from 'node:fs/promises';
import picomatch from 'picomatch';
import { AbortedError, UsageError, throwIfAborted } from '../errors.js';
import { baseName } from './byte-path.js';

type Matcher = (text: string) => boolean;

interface CompiledPattern {
  readonly match: Matcher;
  readonly onBaseName: boolean;
  readonly directoriesOnly: boolean;
}

/**
 * Decides which entries a backup leaves out, from glob patterns given with
 * `--exclude` or read from an `--exclude-file`.
 *
 * Pattern rules:
 * - Globs follow picomatch: `*` and `?` never match `/`, `**` matches any
 *   number of whole path components, `[abc]` and `{a,b}` work as in a shell,
 *   and wildcards match names that begin with a dot.
 * - A pattern without `/` matches the base name of an entry at any depth:
 *   `*.tmp` excludes every file ending in `.tmp`, `node_modules` every entry
 *   called `node_modules`.
 * - A pattern that contains `/` matches the entry's absolute path:
 *   `/home/*\/.cache`, `/var/log/**`. One that does not start with `/` or `**`
 *   is matched anywhere in the tree, as if it began with `**\/`:
 *   `build/*.o` excludes `/src/app/build/main.o`.
 * - A trailing `/` restricts a pattern to directories: `cache/` excludes
 *   directories called `cache` but not files of that name. The trailing `/`
 *   does not count when deciding between base name and absolute path.
 * - An excluded directory is not descended into, so nothing below it is
 *   backed up either, whatever other patterns say.
 * - Negation (`!pattern`) is not supported and is refused.
 * - Paths that are not valid UTF-8 are matched after decoding, with each
 *   invalid byte read as U+FFFD (which `?` and `*` match).
 *
 * In an exclude file, each line is one pattern; blank lines and lines whose
 * first character is `#` are ignored, and the line is used as written
 * (leading and trailing spaces are part of the pattern, except a final `\r`).
 */
export class Excluder {
  readonly patterns: readonly string[];
  readonly #compiled: readonly CompiledPattern[];

  /** `what` names the patterns in error messages (`find pattern`, `include pattern`). */
  constructor(patterns: readonly string[], what = 'exclude pattern') {
    this.patterns = [...patterns];
    this.#compiled = patterns.map((p) => compile(p, what));
  }

  /** True when no pattern was given, so callers can skip matching. */
  get empty(): boolean {
    return this.#compiled.length === 0;
  }

  /**
   * True when the entry at `absolutePath` is excluded. `isDirectory` decides
   * whether patterns ending in `/` apply.
   */
  excludes(absolutePath: Buffer, isDirectory: boolean): boolean {
    if (this.#compiled.length === 0) return false;
    let path: string | undefined;
    let name: string | undefined;
    for (const pattern of this.#compiled) {
      if (pattern.directoriesOnly && !isDirectory) continue;
      const text = pattern.onBaseName
        ? (name ??= baseName(absolutePath).toString('utf8'))
        : (path ??= absolutePath.toString('utf8'));
      if (pattern.match(text)) return true;
    }
    return false;
  }
}

function compile(pattern: string, what: string): CompiledPattern {
  if (pattern.length === 0) throw new UsageError(`empty ${what}`);
  if (pattern.startsWith('!')) {
    throw new UsageError(`${what} ${JSON.stringify(pattern)}: negation is not supported`);
  }
  const directoriesOnly = pattern.length > 1 && pattern.endsWith('/');
  let body = directoriesOnly ? pattern.replace(/\/+$/, '') : pattern;
  if (body.length === 0) body = '/';
  const onBaseName = !body.includes('/');
  if (!onBaseName && !body.startsWith('/') && !body.startsWith('**')) body = `**/${body}`;
  let match: Matcher;
  try {
    match = picomatch(body, { dot: true });
  } catch (error) {
    throw new UsageError(`${what} ${JSON.stringify(pattern)} is not a valid glob`, { cause: error });
  }
  return { match, onBaseName, directoriesOnly };
}

/** The patterns in the text of an exclude file (see {@link Excluder} for the rules). */
export function parseExcludeFile(text: string): string[] {
  const patterns: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '' || line.startsWith('#')) continue;
    patterns.push(line);
  }
  return patterns;
}

/** Reads an exclude file and returns its patterns. */
export async function readExcludeFile(path: string | Buffer, signal?: AbortSignal): Promise<string[]> {
  throwIfAborted(signal);
  let text: string;
  try {
    text = await readFile(path, { encoding: 'utf8', signal });
  } catch (error) {
    if (signal?.aborted) throw new AbortedError(undefined, { cause: error });
    throw error;
  }
  return parseExcludeFile(text);
}
