import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { AbortedError, describe } from '../errors.js';

/** The special file kinds that can be created with mkfifo(1) or mknod(1). */
export type SpecialNodeType = 'fifo' | 'chardev' | 'blockdev';

/**
 * Creates a FIFO or device node under a fresh temporary name inside
 * `directory` and returns that name; the caller links or renames it into
 * place. Node has no mkfifo or mknod, so the commands of those names run
 * with the directory passed as file descriptor 3 and the node created as
 * `/dev/fd/3/<temporary name>`: this works whatever bytes the directory's
 * path and the final name hold, and never resolves the path again. Linux
 * only (it relies on /dev/fd naming open directories).
 *
 * Throws an Error with the command's message when it fails.
 */
export async function createSpecialNode(
  directory: Buffer,
  type: SpecialNodeType,
  mode: number,
  rdev: number,
  signal?: AbortSignal,
): Promise<Buffer> {
  const name = `.coffer-restore-${randomBytes(8).toString('hex')}`;
  const path = `/dev/fd/3/${name}`;
  const modeText = (mode & 0o777).toString(8);
  const [command, args] =
    type === 'fifo'
      ? ['mkfifo', ['-m', modeText, '--', path]]
      : ['mknod', ['-m', modeText, '--', path, type === 'chardev' ? 'c' : 'b', ...deviceNumbers(rdev)]];
  const handle = await open(directory, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW);
  try {
    await run(command, args, handle.fd, signal);
  } finally {
    await handle.close();
  }
  return Buffer.from(name);
}

/** Major and minor numbers of a Linux device number (glibc's encoding). */
export function deviceNumbers(rdev: number): [string, string] {
  const dev = BigInt(rdev);
  const major = ((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn);
  const minor = (dev & 0xffn) | ((dev >> 12n) & ~0xffn);
  return [major.toString(), minor.toString()];
}

function run(command: string, args: string[], directoryFd: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      stdio: ['ignore', 'ignore', 'pipe', directoryFd],
      // A fixed environment: source/ does not read process.env.
      env: { PATH: '/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin:/run/current-system/sw/bin', LC_ALL: 'C' },
      signal,
    });
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (text: string) => {
      if (stderr.length < 4096) stderr += text;
    });
    child.on('error', (error) => {
      if (signal?.aborted) reject(new AbortedError(undefined, { cause: error }));
      else reject(new Error(`${command}: ${describe(error)}`, { cause: error }));
    });
    child.on('close', (status) => {
      if (status === 0) resolve();
      else reject(new Error(`${command}: ${stderr.trim() || `exit status ${String(status)}`}`));
    });
  });
}
