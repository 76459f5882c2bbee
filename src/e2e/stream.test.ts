/**
 * Streams through the real CLI: `backup --stdin` of a stream generated on
 * the fly, dumped back byte for byte; `--stdin-from-command`, whose failing
 * command leaves no snapshot; and the usage errors.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { test } from 'node:test';
import { withTempDir } from '../source/testing.js';
import { backupSummary, Coffer, describeRun, jsonLines, pseudoRandomBytes } from './testing.js';

const MiB = 1024 * 1024;
const STREAM_SIZE = 32 * MiB;

interface SnapshotJson { id: string; paths: string[]; tags: string[]; hostname: string; incomplete: boolean }
interface NodeJson { path: string; nodeType: string; mode: number; uid: number; size: number | null }

test('backup --stdin stores a stream as one file that dump gives back byte for byte', async () => {
  await withTempDir(async (base) => {
    const coffer = await Coffer.init(base, { smallChunks: true });
    const child = coffer.spawn(['backup', '--json', '--stdin', '--stdin-filename', 'tank/home@monday', '--tag', 'zfs', '--host', 'nas'], { stdin: 'pipe' });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
    child.stderr!.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    const closed = once(child, 'close');
    // Generated block by block and never held whole, here or (see the stream archiver's tests) in coffer.
    const sent = createHash('sha256');
    for (let at = 0; at < STREAM_SIZE; at += MiB) {
      const block = pseudoRandomBytes(`stream ${at}`, MiB);
      sent.update(block);
      if (!child.stdin!.write(block)) await once(child.stdin!, 'drain');
    }
    child.stdin!.end();
    const [code] = await closed;
    const run = { code: code as number, signal: null, stdout, stderr, command: 'coffer backup --stdin' };
    assert.equal(code, 0, describeRun(run));
    const summary = backupSummary(run);
    assert.equal(summary.bytesRead, STREAM_SIZE);

    const [snapshot] = jsonLines((await coffer.ok(['snapshots', '--json'])).stdout)[0] as SnapshotJson[];
    assert.deepEqual({ paths: snapshot!.paths, tags: snapshot!.tags, hostname: snapshot!.hostname, incomplete: snapshot!.incomplete },
      { paths: ['/tank/home@monday'], tags: ['zfs'], hostname: 'nas', incomplete: false });
    const nodes = jsonLines((await coffer.ok(['ls', '--json', 'latest'])).stdout) as NodeJson[];
    assert.deepEqual(nodes.map((n) => [n.path, n.nodeType, n.mode, n.uid, n.size]), [
      ['/tank', 'dir', 0o700, process.getuid!(), null],
      ['/tank/home@monday', 'file', 0o600, process.getuid!(), STREAM_SIZE],
    ]);

    const dump = coffer.spawn(['dump', 'latest', '/tank/home@monday']);
    const received = createHash('sha256');
    let length = 0;
    dump.stdout!.on('data', (chunk: Buffer) => { received.update(chunk); length += chunk.length; });
    const [dumpCode] = await once(dump, 'close');
    assert.equal(dumpCode, 0);
    assert.equal(length, STREAM_SIZE);
    assert.equal(received.digest('hex'), sent.digest('hex'));
  });
});

test('backup --stdin-from-command: a command that fails leaves no snapshot; one that succeeds is stored', async () => {
  await withTempDir(async (base) => {
    const coffer = await Coffer.init(base);
    const failed = await coffer.run(['backup', '--stdin-from-command', '--', 'sh', '-c', 'head -c 300000 /dev/zero; exit 7']);
    assert.equal(failed.code, 1, describeRun(failed));
    assert.match(failed.stderr, /sh exited with status 7; no snapshot written/);
    const missing = await coffer.run(['backup', '--stdin-from-command', '--', 'no-such-command-for-coffer']);
    assert.equal(missing.code, 1, describeRun(missing));
    assert.match(missing.stderr, /cannot run no-such-command-for-coffer/);
    assert.deepEqual(jsonLines((await coffer.ok(['snapshots', '--json'])).stdout)[0], []);

    await coffer.ok(['backup', '--stdin-from-command', '--stdin-filename', 'db.sql', '--', 'sh', '-c', 'printf "create table t;\\n"']);
    assert.equal((await coffer.ok(['dump', 'latest', '/db.sql'])).stdout, 'create table t;\n');
  });
});

test('backup --stdin usage errors', async () => {
  await withTempDir(async (base) => {
    const coffer = await Coffer.init(base);
    for (const [args, message] of [
      [['--stdin', '/etc'], /takes no paths/],
      [['--stdin', '--stdin-from-command', '--', 'true'], /not both/],
      [['--stdin-filename', 'x', '/etc'], /needs --stdin/],
      [['--stdin', '--stdin-filename', '../x'], /not allowed/],
    ] as const) {
      const result = await coffer.run(['backup', ...args]);
      assert.equal(result.code, 2, describeRun(result));
      assert.match(result.stderr, message);
    }
  });
});
