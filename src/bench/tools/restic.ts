/**
 * restic from Debian, with its defaults: repository format version 2 (set
 * explicitly, so the comparison does not depend on the version's default),
 * compression "auto" (zstd at its default level), a fresh cache directory
 * per repository. `check` uses a temporary cache of its own, as by default.
 */
import { join } from 'node:path';
import { runQuiet } from '../measure.js';
import { BENCH_PASSWORD, cleanEnv, type ToolDriver, type ToolRepository } from './tool.js';

export function resticDriver(): ToolDriver {
  return {
    name: 'restic',
    async version() {
      // "restic 0.14.0 compiled with go1.19.8 on linux/amd64"
      return (await runQuiet(['restic', 'version'])).trim().replace(/^restic /, '');
    },
    async create(workDir): Promise<ToolRepository> {
      const repoDir = join(workDir, 'repo');
      const cacheDir = join(workDir, 'cache');
      const env = await cleanEnv(workDir, { RESTIC_PASSWORD: BENCH_PASSWORD, RESTIC_REPOSITORY: repoDir });
      const restic = (...args: string[]) => ({ argv: ['restic', '--quiet', '--cache-dir', cacheDir, ...args], env });
      return {
        tool: 'restic', repoDir, cacheDir,
        init: () => restic('init', '--repository-version', '2'),
        backup: (_step, source) => restic('backup', source),
        restore: (target) => restic('restore', 'latest', '--target', target),
        check: () => restic('check', '--read-data'),
      };
    },
  };
}
