/**
 * `dump` through the real CLI: a directory as a tar stream that GNU tar
 * extracts to the same tree (odd names, long paths, links, modes, owners,
 * times to the microsecond), the whole snapshot with `/`, a file's bytes
 * exactly, and clear errors.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chown, lchown, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { dir, fifo, file, hardlink, makeTree, readTree, symlink, withTempDir, type TreeSpec } from '../source/testing.js';
import { Coffer, describeRun, jsonLines, pseudoRandomBytes } from './testing.js';

const isRoot = process.geteuid?.() === 0;
const T = (seconds: number, micros: number): bigint => BigInt(seconds) * 1_000_000_000n + BigInt(micros) * 1000n;

function awkwardTree(): TreeSpec {
  const longDirs = 'a-directory-name-of-sixty-bytes-to-make-paths-long-0123456789';
  return [
    ['plain.txt', file('hello\n', { mtimeNs: T(1_700_000_000, 123_456) })],
    ['multi-blob.bin', pseudoRandomBytes('dump multi', 1536 * 1024)],
    ['empty', ''],
    ['empty-dir', dir({}, { mode: 0o700, mtimeNs: T(1_500_000_000, 1) })],
    [`${'é'.repeat(127)}x`, '255-byte name\n'],
    [Buffer.from([0x6c, 0x61, 0x74, 0x69, 0x6e, 0x31, 0xe9]), 'a name that is not UTF-8\n'],
    ['line\nbreak', 'newline in the name\n'],
    [longDirs, { [longDirs]: { [longDirs]: { [`${longDirs}.txt`]: 'a path of more than 240 bytes\n' } } }],
    ['links', dir([
      ['relative', symlink('../plain.txt', { mtimeNs: T(1_600_000_000, 5) })],
      ['raw-target', symlink(Buffer.from([0x2e, 0x2e, 0x2f, 0xff]))],
      ['long-target', symlink(`../${'t'.repeat(150)}/target`)],
    ])],
    ['hard', { first: file('two names\n', { mode: 0o640 }), second: hardlink('hard/first') }],
    ['other', { third: hardlink('hard/first') }],
    ['modes', dir([
      ['setuid', file('#!/bin/sh\n', { mode: 0o4755 })],
      ['sticky', dir({ inside: 'x\n' }, { mode: 0o1777 })],
      ['read-only-dir', dir({ inside: 'y\n' }, { mode: 0o555 })],
      ['private', file('secret\n', { mode: 0o600 })],
    ])],
    ['special', { fifo: fifo({ mode: 0o640, mtimeNs: T(1_650_000_000, 999_999) }) }],
    ['times', { old: file('1971\n', { mtimeNs: T(31_536_000, 7) }), future: file('2100\n', { mtimeNs: T(4_102_444_800, 500_001) }) }],
  ];
}

/** Runs `coffer ARGS | COMMAND` and asserts both exit 0. */
async function pipeInto(coffer: Coffer, args: readonly string[], command: string, commandArgs: readonly string[]): Promise<void> {
  const producer = coffer.spawn(args);
  const consumer = spawn(command, commandArgs, { stdio: ['pipe', 'ignore', 'pipe'] });
  producer.stdout!.pipe(consumer.stdin!);
  const errors = { producer: '', consumer: '' };
  producer.stderr!.on('data', (chunk: Buffer) => { errors.producer += chunk.toString(); });
  consumer.stderr!.on('data', (chunk: Buffer) => { errors.consumer += chunk.toString(); });
  const closed = (child: typeof producer) => new Promise<number | null>((resolve) => child.on('close', resolve));
  const [producerCode, consumerCode] = await Promise.all([closed(producer), closed(consumer)]);
  assert.equal(producerCode, 0, `coffer ${args.join(' ')}: ${errors.producer}`);
  assert.equal(consumerCode, 0, `${command} ${commandArgs.join(' ')}: ${errors.consumer}`);
}

test('dump of a directory, and of the whole snapshot, extracts with GNU tar to the same tree', async () => {
  await withTempDir(async (base) => {
    const coffer = await Coffer.init(base, { smallChunks: true });
    const source = join(base, 'source');
    await makeTree(source, awkwardTree());
    if (isRoot) {
      // Ids beyond ustar's 7 octal digits need pax records.
      await chown(join(source, 'plain.txt'), 3_000_000, 2_500_000);
      await lchown(join(source, 'links', 'relative'), 1234, 5678);
    }
    await coffer.backup([source]);
    const expected = await readTree(source, { owner: isRoot });

    const one = join(base, 'one');
    await mkdir(one);
    await pipeInto(coffer, ['dump', 'latest', source], 'tar', ['-x', '-p', '--numeric-owner', '-f', '-', '-C', one]);
    assert.deepEqual(await readTree(join(one, source), { owner: isRoot }), expected);

    const all = join(base, 'all');
    await mkdir(all);
    await pipeInto(coffer, ['dump', 'latest', '/'], 'tar', ['-x', '-p', '--numeric-owner', '-f', '-', '-C', all]);
    assert.deepEqual(await readTree(join(all, source), { owner: isRoot }), expected);

    // A file is its bytes; a name that is not UTF-8 is typed as ls shows it.
    const multi = await dumpBytes(coffer, ['dump', 'latest', join(source, 'multi-blob.bin')]);
    assert.ok(multi.equals(await readFile(join(source, 'multi-blob.bin'))));
    const latin = await dumpBytes(coffer, ['dump', 'latest', `${source}/latin1\\xe9`]);
    assert.equal(latin.toString(), 'a name that is not UTF-8\n');
  });
});

test('dump errors: a missing path, a path through a file, --json', async () => {
  await withTempDir(async (base) => {
    const coffer = await Coffer.init(base);
    const source = join(base, 'source');
    await makeTree(source, { 'a.txt': 'a\n' });
    await coffer.backup([source]);
    const missing = await coffer.run(['dump', 'latest', join(source, 'nope')]);
    assert.equal(missing.code, 1, describeRun(missing));
    assert.match(missing.stderr, /no .*source\/nope in the snapshot/);
    assert.equal(missing.stdout, '');
    const through = await coffer.run(['dump', 'latest', join(source, 'a.txt', 'b')]);
    assert.equal(through.code, 1, describeRun(through));
    assert.match(through.stderr, /a\.txt is a file, not a directory/);
    const json = await coffer.run(['--json', 'dump', 'latest', source]);
    assert.equal(json.code, 2, describeRun(json));
    assert.deepEqual((jsonLines(json.stdout)[0] as { code: string }).code, 'USAGE');
  });
});

/** stdout of a run as bytes (runCli decodes it as UTF-8, which would mangle binary data). */
async function dumpBytes(coffer: Coffer, args: readonly string[]): Promise<Buffer> {
  const child = coffer.spawn(args);
  const chunks: Buffer[] = [];
  child.stdout!.on('data', (chunk: Buffer) => chunks.push(chunk));
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.equal(code, 0, `coffer ${args.join(' ')}: ${stderr}`);
  return Buffer.concat(chunks);
}
