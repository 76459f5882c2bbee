/**
 * BorgBackup 1.2 from Debian: `init -e repokey-blake2` (authenticated
 * encryption, the fastest of borg's encrypted modes where AES-NI is present
 * and the one borg recommends), `create --compression zstd,3` (borg's
 * default is lz4; zstd level 3 is what coffer uses and close to restic's
 * "auto", so all three do comparable compression work), default chunker
 * (buzhash, ~2 MiB average). BORG_BASE_DIR keeps its cache, security and
 * config directories per repository.
 */
import { join } from 'node:path';
import { runQuiet } from '../measure.js';
import { BENCH_PASSWORD, cleanEnv, type BackupStep, type ToolDriver, type ToolRepository } from './tool.js';

export function borgDriver(): ToolDriver {
  return {
    name: 'borg',
    async version() {
      return (await runQuiet(['borg', '--version'])).trim().replace(/^borg /, '');
    },
    async create(workDir): Promise<ToolRepository> {
      const repoDir = join(workDir, 'repo');
      const cacheDir = join(workDir, 'borg-base');
      const env = await cleanEnv(workDir, {
        BORG_PASSPHRASE: BENCH_PASSWORD,
        BORG_BASE_DIR: cacheDir,
        BORG_RELOCATED_REPO_ACCESS_IS_OK: 'yes',
      });
      let latest: BackupStep | undefined;
      return {
        tool: 'borg', repoDir, cacheDir,
        init: () => ({ argv: ['borg', 'init', '--encryption', 'repokey-blake2', repoDir], env }),
        backup: (step, source) => {
          latest = step;
          return { argv: ['borg', 'create', '--compression', 'zstd,3', `${repoDir}::${step}`, source], env };
        },
        // borg extract writes into the working directory, paths without their leading '/'.
        restore: (target) => {
          if (latest === undefined) throw new Error('borg: restore before any backup');
          return { argv: ['borg', 'extract', `${repoDir}::${latest}`], env, cwd: target };
        },
        check: () => ({ argv: ['borg', 'check', '--verify-data', repoDir], env }),
      };
    },
  };
}
