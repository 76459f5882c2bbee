/**
 * What the harness needs from each backup tool: commands for each step on
 * one fresh repository with its own cache, and the tool's version.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from '../measure.js';

export const TOOL_NAMES = ['coffer', 'restic', 'borg'] as const;
export type ToolName = (typeof TOOL_NAMES)[number];

/** The backups of a round, in order; `first` runs on the base tree, `mutated` after the mutation. */
export type BackupStep = 'first' | 'nochange' | 'mutated';

/** One repository of one tool, with its own cache, in a work directory of its own. */
export interface ToolRepository {
  readonly tool: ToolName;
  /** What is counted as the repository's size. */
  readonly repoDir: string;
  /** The tool's local cache (counted separately). */
  readonly cacheDir: string;
  init(): Command;
  backup(step: BackupStep, source: string): Command;
  /** Restores the newest snapshot into `target` (an existing empty directory). */
  restore(target: string): Command;
  /** Verifies the repository and reads every byte of it. */
  check(): Command;
}

export interface ToolDriver {
  readonly name: ToolName;
  /** The version, as the tool prints it. */
  version(): Promise<string>;
  /** A fresh repository (not yet initialised) below `workDir`. */
  create(workDir: string): Promise<ToolRepository>;
}

/** Fake: benchmark repositories hold only generated data. */
export const BENCH_PASSWORD = 'bench passphrase: correct horse battery staple';

/**
 * The environment of every measured command: the harness's own, minus any
 * variable that configures one of the tools, with HOME and the XDG cache
 * inside the work directory so no tool touches the user's real caches.
 */
export async function cleanEnv(workDir: string, extra: Readonly<Record<string, string>> = {}): Promise<Record<string, string>> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value !== undefined && !/^(RESTIC_|BORG_|COFFER_|XDG_)/.test(name)) env[name] = value;
  }
  const home = join(workDir, 'home');
  await mkdir(home, { recursive: true });
  return { ...env, HOME: home, XDG_CACHE_HOME: join(home, '.cache'), XDG_CONFIG_HOME: join(home, '.config'), LC_ALL: 'C.UTF-8', ...extra };
}

/** Writes the passphrase to a file only the user can read. */
export async function writePasswordFile(workDir: string): Promise<string> {
  const path = join(workDir, 'passphrase');
  await writeFile(path, BENCH_PASSWORD, { mode: 0o600 });
  return path;
}
