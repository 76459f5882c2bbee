/**
 * The layout of a data set: which directories and files exist, and what
 * each file holds (kind, size, generator stream). Built from the parameters
 * alone, so it can be rebuilt at any time without reading the tree.
 */
import type { DatasetParams } from './params.js';
import { Prng } from './prng.js';
import { vocabularyOf, type TextStyle } from './text.js';

export type FileKind = 'text' | 'random' | 'large';

export interface FileSpec {
  /** Path relative to the tree root, '/'-separated. */
  readonly path: string;
  readonly kind: FileKind;
  readonly size: number;
  /** Generator stream of the content; two files with the same kind and stream hold the same bytes. */
  readonly stream: number;
  readonly style: TextStyle;
  /** Index of the directory holding the file. */
  readonly dir: number;
}

export interface Manifest {
  /** Directory paths relative to the root; index 0 is the root itself (''). */
  readonly dirs: readonly string[];
  readonly files: readonly FileSpec[];
  readonly bytes: number;
}

const EXTENSIONS: readonly [string, TextStyle][] = [
  ['.txt', 'prose'], ['.md', 'prose'], ['.html', 'prose'], ['.ts', 'code'], ['.c', 'code'], ['.py', 'code'],
  ['.json', 'code'], ['.csv', 'csv'], ['.log', 'csv'],
];

/** Unique names inside each directory. */
class Names {
  private readonly taken = new Map<number, Set<string>>();
  claim(dir: number, wanted: string): string {
    let set = this.taken.get(dir);
    if (set === undefined) this.taken.set(dir, (set = new Set()));
    let name = wanted;
    for (let n = 2; set.has(name); n++) name = wanted.replace(/(\.[a-z]+)?$/, `-${n}$1`);
    set.add(name);
    return name;
  }
}

export function buildManifest(params: DatasetParams): Manifest {
  const prng = new Prng(params.seed, 1);
  const words = vocabularyOf(params.seed).words.map((w) => w.toString('ascii'));
  const word = (): string => words[16 + prng.below(words.length - 16)]!;
  const names = new Names();
  const join = (dir: number, name: string): string => (dir === 0 ? name : `${dirs[dir]}/${name}`);

  const dirs: string[] = [''];
  for (let i = 1; i < params.dirs; i++) {
    // The smaller of two uniform picks favours older, shallower parents: trees stay a few levels deep.
    const parent = Math.min(prng.below(i), prng.below(i));
    dirs.push(join(parent, names.claim(parent, prng.chance(1, 8) ? `${word()} ${word()}` : word())));
  }

  const files: FileSpec[] = [];
  let stream = 1;
  const add = (kind: FileKind, size: number, style: TextStyle, ext: string, streamOf = stream++): void => {
    const dir = prng.below(dirs.length);
    files.push({ path: join(dir, names.claim(dir, word() + ext)), kind, size, stream: streamOf, style, dir });
  };

  for (let i = 0; i < params.textFiles; i++) {
    const [ext, style] = EXTENSIONS[prng.below(EXTENSIONS.length)]!;
    const earlier = files.length > 0 && prng.below(params.copyEvery) === 0 ? files[prng.below(files.length)]! : undefined;
    if (earlier !== undefined) {
      add('text', earlier.size, earlier.style, ext, earlier.stream);
      continue;
    }
    const size = prng.below(params.mediumEvery) === 0 ? prng.logSize(64 * 1024, params.mediumMax) : prng.logSize(32, 64 * 1024);
    add('text', size, style, ext);
  }
  for (let total = 0; total < params.randomTotal;) {
    const size = prng.logSize(params.randomMin, params.randomMax);
    add('random', size, 'prose', prng.chance(1, 2) ? '.jpg' : '.gz');
    total += size;
  }
  for (const size of params.largeFiles) add('large', size, 'prose', '.img');

  return { dirs, files, bytes: files.reduce((sum, f) => sum + f.size, 0) };
}
