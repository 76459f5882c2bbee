import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { AbortedError, BackendError, NotFoundError } from '../errors.js';
import { runBackendConformance } from './conformance.js';
import { LocalBackend, TEMP_DIR } from './local.js';
import { mapFsError } from './map-fs-error.js';

runBackendConformance('LocalBackend conformance', async () => {
  const root = await mkdtemp(path.join(tmpdir(), 'coffer-local-'));
  return { backend: new LocalBackend(root), cleanup: () => rm(root, { recursive: true, force: true }) };
});

/** Runs `body` with a fresh directory holding `root/`, removed afterwards. */
async function withRoot(body: (root: string, parent: string) => Promise<void>): Promise<void> {
  const parent = await mkdtemp(path.join(tmpdir(), 'coffer-local-'));
  const root = path.join(parent, 'repo');
  await mkdir(root);
  try {
    await body(root, parent);
  } finally {
    await chmod(root, 0o755).catch(() => undefined);
    await rm(parent, { recursive: true, force: true });
  }
}

async function listNames(backend: LocalBackend, prefix: string): Promise<string[]> {
  const names: string[] = [];
  for await (const object of backend.list(prefix)) names.push(object.name);
  return names.sort();
}

const isPermanent = (error: unknown) => error instanceof BackendError && !error.transient;
const HEX = 'abcdef12' + '3'.repeat(56);

describe('LocalBackend', () => {
  test('location is the absolute root path', () => {
    assert.equal(new LocalBackend('some/relative/dir').location, path.resolve('some/relative/dir'));
  });

  test('stores an object as the file at its name', () =>
    withRoot(async (root) => {
      await new LocalBackend(root).save(`data/ab/${HEX}`, Buffer.from('bytes'));
      assert.equal(await readFile(path.join(root, 'data', 'ab', HEX), 'utf8'), 'bytes');
    }));

  test('stale temporary files and stray files are never listed and do not break saves', () =>
    withRoot(async (root) => {
      await mkdir(path.join(root, TEMP_DIR));
      await writeFile(path.join(root, TEMP_DIR, 'c0ffee.tmp'), 'half written');
      await mkdir(path.join(root, 'data', 'ab'), { recursive: true });
      await writeFile(path.join(root, 'data', 'ab', 'x.partial'), 'stray');
      const backend = new LocalBackend(root);
      assert.equal(await backend.save('data/ab/x', Buffer.from('ok')), 'saved');
      assert.deepEqual(await listNames(backend, ''), ['data/ab/x']);
      assert.deepEqual(await listNames(backend, 'data/'), ['data/ab/x']);
      assert.deepEqual(await readdir(path.join(root, TEMP_DIR)), ['c0ffee.tmp']);
    }));

  test('leaves no temporary files behind, also after exists and racing saves', () =>
    withRoot(async (root) => {
      const backend = new LocalBackend(root);
      await backend.save('config', Buffer.from('a'));
      await backend.save('config', Buffer.from('b'));
      await Promise.all(Array.from({ length: 10 }, (_, i) => backend.save('keys/k', Buffer.from([i]))));
      assert.deepEqual(await readdir(path.join(root, TEMP_DIR)), []);
    }));

  test('refuses bad names and never touches a path outside the root', () =>
    withRoot(async (root, parent) => {
      const backend = new LocalBackend(root);
      for (const name of ['../x', '/abs', 'a/../b', 'Upper', 'data/AB/x', '', 'a//b', 'a/', '.tmp/x', 'a\\b', 'x.tmp']) {
        await assert.rejects(backend.save(name, Buffer.from('no')), isPermanent, `save ${name}`);
        await assert.rejects(backend.load(name), isPermanent, `load ${name}`);
        await assert.rejects(backend.stat(name), isPermanent, `stat ${name}`);
        await assert.rejects(backend.remove(name), isPermanent, `remove ${name}`);
      }
      for (const prefix of ['../', '/', '.tmp/', 'a/../']) {
        await assert.rejects(listNames(backend, prefix), isPermanent, `list ${prefix}`);
      }
      await assert.rejects(backend.save('../x', Buffer.from('no')), /invalid object name/);
      assert.deepEqual(await readdir(parent), ['repo']);
      assert.deepEqual(await readdir(root), []);
    }));

  test('does not overwrite a file that already exists', () =>
    withRoot(async (root) => {
      await writeFile(path.join(root, 'config'), 'placed by another process');
      const backend = new LocalBackend(root);
      assert.equal(await backend.save('config', Buffer.from('new bytes')), 'exists');
      assert.equal(await readFile(path.join(root, 'config'), 'utf8'), 'placed by another process');
    }));

  test('a file standing where a folder is needed is a permanent error', () =>
    withRoot(async (root) => {
      await writeFile(path.join(root, 'config'), 'x');
      await assert.rejects(new LocalBackend(root).save('config/inner', Buffer.from('y')), isPermanent);
    }));

  test('a missing root lists nothing and loads nothing', async () => {
    const backend = new LocalBackend(path.join(tmpdir(), 'coffer-no-such-dir-7f3a9'));
    assert.deepEqual(await listNames(backend, ''), []);
    await assert.rejects(backend.load('config'), NotFoundError);
  });

  test('save into a read-only root fails with a clear permanent error', {
    skip: process.getuid?.() === 0 ? 'running as root, which ignores directory permissions' : false,
  }, () =>
    withRoot(async (root) => {
      await chmod(root, 0o555);
      await assert.rejects(new LocalBackend(root).save('config', Buffer.from('x')), (error: unknown) => {
        assert.ok(isPermanent(error), String(error));
        assert.match((error as Error).message, /^save config: permission denied \(/);
        return true;
      });
    }));
});

describe('mapFsError', () => {
  const errno = (code: string, filePath = '/repo/data/ab/f') =>
    Object.assign(new Error(`${code}: something, open '${filePath}'`), { code, path: filePath });

  test('disk full and quota are permanent and name the object, with its id shortened', () => {
    const full = mapFsError('save', `data/ab/${HEX}`, errno('ENOSPC', '/repo/.tmp/1.tmp'));
    assert.ok(isPermanent(full));
    assert.equal(full.message, 'save data/ab/abcdef12: disk full (/repo/.tmp/1.tmp)');
    assert.equal(full.code, 'BACKEND');
    const quota = mapFsError('save', 'config', errno('EDQUOT'));
    assert.ok(isPermanent(quota));
    assert.match(quota.message, /^save config: disk quota exceeded/);
  });

  test('ENOENT is NotFoundError, except during save', () => {
    const missing = mapFsError('load', 'keys/k1', errno('ENOENT'));
    assert.ok(missing instanceof NotFoundError);
    assert.equal(missing.message, 'load keys/k1: not found');
    assert.ok(mapFsError('stat', 'keys/k1', errno('EISDIR')) instanceof NotFoundError);
    assert.ok(mapFsError('save', 'keys/k1', errno('ENOENT')) instanceof BackendError);
  });

  test('permissions and read-only filesystems are permanent; momentary conditions are transient', () => {
    for (const code of ['EACCES', 'EPERM', 'EROFS', 'ENOTDIR', 'EXDEV', 'ESOMETHINGNEW']) {
      assert.ok(isPermanent(mapFsError('save', 'config', errno(code))), code);
    }
    for (const code of ['EIO', 'EAGAIN', 'EMFILE', 'ENFILE', 'EBUSY', 'ETIMEDOUT']) {
      const error = mapFsError('load', 'config', errno(code));
      assert.ok(error instanceof BackendError && error.transient && error.code === 'BACKEND_TRANSIENT', code);
    }
  });

  test('keeps the cause, passes coffer errors through and maps AbortError', () => {
    const cause = errno('EACCES');
    assert.equal(mapFsError('load', 'config', cause).cause, cause);
    const own = new NotFoundError('load config: not found');
    assert.equal(mapFsError('load', 'config', own), own);
    const abort = Object.assign(new Error('The operation was aborted'), { name: 'AbortError', code: 'ABORT_ERR' });
    assert.ok(mapFsError('load', 'config', abort) instanceof AbortedError);
    assert.ok(isPermanent(mapFsError('load', 'config', 'a string')));
  });
});
