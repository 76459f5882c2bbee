/**
 * The change between the first and the incremental backup: about 1% of the
 * data set. Appends, edits in the middle of files, bytes inserted at the
 * start of a large file, a renamed directory, new and deleted files. The
 * plan is derived from the parameters, so it can be applied and, by
 * regenerating the touched files, reverted on any tree in any state.
 */
import { mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileContent, randomBytesFor } from './content.js';
import type { FileSpec, Manifest } from './manifest.js';
import type { DatasetParams } from './params.js';
import { Prng } from './prng.js';
import { textBytes, vocabularyOf } from './text.js';

export interface Overwrite {
  readonly file: number;
  readonly offset: number;
  readonly size: number;
}

export interface MutationPlan {
  /** Files (manifest indices) that get `size` bytes appended. */
  readonly appends: readonly { readonly file: number; readonly size: number }[];
  /** Bytes overwritten in the middle of files. */
  readonly edits: readonly Overwrite[];
  /** Bytes inserted before the first byte of a large file. */
  readonly insert: { readonly file: number; readonly size: number };
  readonly deleted: readonly number[];
  readonly added: readonly FileSpec[];
  /** A directory renamed, with everything in it. */
  readonly rename: { readonly from: string; readonly to: string };
  /** Bytes written by the mutation (appended, overwritten, inserted, added). */
  readonly bytesWritten: number;
}

export function planMutation(params: DatasetParams, manifest: Manifest): MutationPlan {
  const prng = new Prng(params.seed, 2);
  const { files, dirs } = manifest;

  // The renamed directory holds only text files (a few to a few dozen) and
  // no other change touches it, so renaming back restores it exactly.
  const inSubtree = (path: string, dir: string): boolean => path.startsWith(`${dir}/`);
  const subtrees = subtreeStats(manifest);
  const renamable = dirs.filter((dir, d) => {
    const s = subtrees.get(dir);
    return d > 0 && s !== undefined && s.files >= 3 && s.files <= Math.max(3, files.length / 100) && s.onlyText;
  });
  const renamed = renamable.length > 0 ? renamable[prng.below(renamable.length)]! : dirs[1]!;
  const outside = (f: FileSpec): boolean => !inSubtree(f.path, renamed);

  const indices = files.map((f, i) => ({ f, i })).filter(({ f }) => outside(f));
  const text = prng.shuffle(indices.filter(({ f }) => f.kind === 'text').map(({ i }) => i));
  const randoms = indices.filter(({ f }) => f.kind === 'random').map(({ i }) => i);
  const large = indices.filter(({ f }) => f.kind === 'large').map(({ i }) => i);
  const share = (every: number): number => Math.max(1, Math.round(params.textFiles / every));

  const appends = text.splice(0, share(100)).map((file) => ({ file, size: prng.between(256, 4096) }));
  const edits: Overwrite[] = text.filter((i) => files[i]!.size >= 4096).slice(0, share(500)).map((file) => {
    const size = prng.between(64, 512);
    return { file, offset: Math.floor(files[file]!.size / 2), size };
  });
  const edited = new Set(edits.map((e) => e.file));
  const rest = text.filter((i) => !edited.has(i));
  const randomEdited = randoms[prng.below(randoms.length)]!;
  edits.push({ file: randomEdited, offset: Math.floor(files[randomEdited]!.size / 2), size: 16 * 1024 });
  const randomDeleted = randoms.find((i) => i !== randomEdited);
  const deleted = [...rest.slice(0, share(250)), ...(randomDeleted === undefined ? [] : [randomDeleted])];

  const targetDirs = dirs.map((_, d) => d).filter((d) => d === 0 || !(dirs[d] === renamed || inSubtree(dirs[d]!, renamed)));
  const added: FileSpec[] = [];
  const newFile = (kind: FileSpec['kind'], size: number, ext: string): void => {
    const dir = targetDirs[prng.below(targetDirs.length)]!;
    const name = `added-${added.length}${ext}`;
    const stream = 0x100000 + added.length;
    added.push({ path: dir === 0 ? name : `${dirs[dir]}/${name}`, kind, size, stream, style: 'prose', dir });
  };
  for (let n = share(250); n > 0; n--) newFile('text', prng.logSize(32, 64 * 1024), '.txt');
  newFile('random', params.newRandomSize, '.bin');

  const insert = { file: large[0] ?? randomEdited, size: prng.between(100, 4000) };
  const bytesWritten = [...appends, ...edits, insert, ...added].reduce((sum, x) => sum + x.size, 0);
  return { appends, edits, insert, deleted, added, rename: { from: renamed, to: `${renamed}-renamed` }, bytesWritten };
}

/** Applies `plan` to a tree in its base state. */
export async function applyMutation(root: string, params: DatasetParams, manifest: Manifest, plan: MutationPlan): Promise<void> {
  const vocabulary = vocabularyOf(params.seed);
  const at = (file: number): string => join(root, manifest.files[file]!.path);
  for (const [n, { file, size }] of plan.appends.entries()) {
    const spec = manifest.files[file]!;
    await writeFile(at(file), textBytes(vocabulary, new Prng(params.seed, 0x30000 + n), size, spec.style), { flag: 'a' });
  }
  for (const [n, { file, offset, size }] of plan.edits.entries()) {
    const spec = manifest.files[file]!;
    const bytes = spec.kind === 'text'
      ? textBytes(vocabulary, new Prng(params.seed, 0x40000 + n), size, spec.style)
      : randomBytesFor(params.seed, `edit:${n}`, size);
    const handle = await open(at(file), 'r+');
    try {
      await handle.write(bytes, 0, bytes.length, offset);
    } finally {
      await handle.close();
    }
  }
  const original = await readFile(at(plan.insert.file));
  await writeFile(at(plan.insert.file), Buffer.concat([randomBytesFor(params.seed, 'insert', plan.insert.size), original]));
  for (const file of plan.deleted) await rm(at(file));
  for (const spec of plan.added) await writeFile(join(root, spec.path), fileContent(params, spec));
  await rename(join(root, plan.rename.from), join(root, plan.rename.to));
}

/** Undoes `plan` on a tree in any state between base and fully mutated. */
export async function revertMutation(root: string, params: DatasetParams, manifest: Manifest, plan: MutationPlan): Promise<void> {
  if (await exists(join(root, plan.rename.to)) && !(await exists(join(root, plan.rename.from)))) {
    await rename(join(root, plan.rename.to), join(root, plan.rename.from));
  }
  for (const spec of plan.added) await rm(join(root, spec.path), { force: true });
  const touched = new Set([...plan.appends.map((a) => a.file), ...plan.edits.map((e) => e.file), plan.insert.file, ...plan.deleted]);
  for (const file of touched) {
    const spec = manifest.files[file]!;
    await mkdir(join(root, manifest.dirs[spec.dir]!), { recursive: true });
    await writeFile(join(root, spec.path), fileContent(params, spec));
  }
}

/** Files below each directory, and whether they are all text. */
function subtreeStats(manifest: Manifest): Map<string, { files: number; onlyText: boolean }> {
  const stats = new Map<string, { files: number; onlyText: boolean }>();
  for (const file of manifest.files) {
    for (let cut = file.path.lastIndexOf('/'); cut > 0; cut = file.path.lastIndexOf('/', cut - 1)) {
      const dir = file.path.slice(0, cut);
      const s = stats.get(dir) ?? { files: 0, onlyText: true };
      s.files++;
      s.onlyText &&= file.kind === 'text';
      stats.set(dir, s);
    }
  }
  return stats;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}
