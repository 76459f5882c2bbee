/**
 * A generated data set on disk, cached under `<dataDir>/<key>/tree` and
 * reused by later runs. A small state file records whether the tree is in
 * its base or mutated form, or was left half-changed by an interrupted run.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { listTree } from '../tree.js';
import { fileContent } from './content.js';
import { buildManifest, type Manifest } from './manifest.js';
import { applyMutation, planMutation, revertMutation, type MutationPlan } from './mutation.js';
import { datasetKey, type DatasetParams } from './params.js';

type State = 'base' | 'mutated' | 'changing';

export class Dataset {
  private constructor(
    readonly params: DatasetParams,
    readonly key: string,
    /** The tree that is backed up; its path stays the same in both states. */
    readonly root: string,
    private readonly stateFile: string,
    readonly manifest: Manifest,
    readonly mutation: MutationPlan,
  ) {}

  /**
   * The data set of `params` under `dataDir`, in its base state: reuses a
   * cached tree when its listing matches the manifest, else generates it.
   */
  static async prepare(params: DatasetParams, dataDir: string, log: (line: string) => void = () => {}): Promise<Dataset> {
    const key = datasetKey(params);
    const home = join(dataDir, key);
    const manifest = buildManifest(params);
    const dataset = new Dataset(params, key, join(home, 'tree'), join(home, 'state.json'), manifest, planMutation(params, manifest));
    const state = await dataset.readState();
    if (state !== undefined) {
      if (state !== 'base') await dataset.toBase();
      if (await dataset.matchesManifest()) return dataset;
      log(`cached data set ${key} does not match its manifest: generating it again`);
    }
    await dataset.generate(log);
    return dataset;
  }

  /** Puts the tree in its base state (a no-op if it is). */
  async toBase(): Promise<void> {
    if ((await this.readState()) === 'base') return;
    await this.writeState('changing');
    await revertMutation(this.root, this.params, this.manifest, this.mutation);
    await this.writeState('base');
  }

  /** Applies the mutation (a no-op if it is applied). */
  async toMutated(): Promise<void> {
    const state = await this.readState();
    if (state === 'mutated') return;
    if (state !== 'base') await this.toBase();
    await this.writeState('changing');
    await applyMutation(this.root, this.params, this.manifest, this.mutation);
    await this.writeState('mutated');
  }

  private async generate(log: (line: string) => void): Promise<void> {
    const started = performance.now();
    await rm(join(this.root, '..'), { recursive: true, force: true });
    await mkdir(this.root, { recursive: true });
    await this.writeState('changing');
    for (const dir of this.manifest.dirs) await mkdir(join(this.root, dir), { recursive: true });
    for (const [n, file] of this.manifest.files.entries()) {
      await writeFile(join(this.root, file.path), fileContent(this.params, file));
      if (n % 5000 === 4999) log(`  ${n + 1} of ${this.manifest.files.length} files`);
    }
    await this.writeState('base');
    const mib = (this.manifest.bytes / 2 ** 20).toFixed(0);
    log(`generated data set ${this.key}: ${this.manifest.files.length} files, ${mib} MiB in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }

  /** True if the tree lists exactly the manifest's directories and files with their sizes. */
  private async matchesManifest(): Promise<boolean> {
    const listed = await listTree(this.root);
    if (listed.size !== this.manifest.dirs.length - 1 + this.manifest.files.length) return false;
    for (const dir of this.manifest.dirs.slice(1)) if (listed.get(dir)?.kind !== 'dir') return false;
    return this.manifest.files.every((f) => {
      const entry = listed.get(f.path);
      return entry?.kind === 'file' && entry.size === f.size;
    });
  }

  private async readState(): Promise<State | undefined> {
    try {
      return (JSON.parse(await readFile(this.stateFile, 'utf8')) as { state: State }).state;
    } catch {
      return undefined;
    }
  }

  private async writeState(state: State): Promise<void> {
    await writeFile(this.stateFile, `${JSON.stringify({ state })}\n`);
  }
}
