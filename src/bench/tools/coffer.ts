/**
 * coffer, run through its real CLI (bin/coffer.js of this checkout) with
 * default chunker and pack size. The default key file cost (N = 2^15,
 * r = 8, p = 4: 32 MiB, about 0.4 s) is paid by every command, like
 * restic's calibrated scrypt (the same values here); `--scrypt-n` may lower it for experiments,
 * and node options may be added (a profiler).
 */
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { runQuiet } from '../measure.js';
import { cleanEnv, writePasswordFile, type ToolDriver, type ToolRepository } from './tool.js';

export const COFFER_BIN = fileURLToPath(new URL('../../../bin/coffer.js', import.meta.url));

export function cofferDriver(options: { scryptN?: number; nodeArgs?: readonly string[] } = {}): ToolDriver {
  return {
    name: 'coffer',
    async version() {
      return (await runQuiet([process.execPath, COFFER_BIN, '--version'])).trim();
    },
    async create(workDir): Promise<ToolRepository> {
      const repoDir = join(workDir, 'repo');
      const cacheDir = join(workDir, 'cache');
      const env = await cleanEnv(workDir);
      const passwordFile = await writePasswordFile(workDir);
      const coffer = (...args: string[]) => ({
        argv: [process.execPath, ...(options.nodeArgs ?? []), COFFER_BIN, '--repo', repoDir, '--password-file', passwordFile, '--cache-dir', cacheDir, '--quiet', ...args],
        env,
      });
      return {
        tool: 'coffer', repoDir, cacheDir,
        init: () => coffer('init', ...(options.scryptN === undefined ? [] : ['--scrypt-n', String(options.scryptN)])),
        backup: (_step, source) => coffer('backup', source),
        restore: (target) => coffer('restore', 'latest', '--target', target),
        check: () => coffer('check', '--read-data'),
      };
    },
  };
}
