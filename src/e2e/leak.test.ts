/**
 * Storage sees only ciphertext: after a backup, no stored object (every file
 * below the repository directory, temporary ones included) holds a file
 * name, a path component, or any 16-byte run of file content; the
 * passphrase is in neither the repository nor the cache, and file content
 * is not in the cache either (docs/format.md "Local cache").
 */
import assert from 'node:assert/strict';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { makeTree, withTempDir } from '../source/testing.js';
import { Coffer, listFiles, pseudoRandomBytes } from './testing.js';

const WINDOW = 16;
/** Path components shorter than this are not looked for: a few bytes turn up in random ciphertext by chance. */
const MIN_COMPONENT = 8;

/** Compressible text with distinctive words, so compression alone would not hide it. */
function text(topic: string, lines: number): Buffer {
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    out.push(`Line ${i} of the ${topic} memo: the quarterly figures for project ${topic.toUpperCase()} remain confidential.`);
  }
  return Buffer.from(`${out.join('\n')}\n`);
}

/** Every 16-byte window of `data` starting at a multiple of `stride`, as latin1 strings (one char per byte). */
function windows(data: Buffer, stride: number, into: Set<string>): void {
  const s = data.toString('latin1');
  for (let i = 0; i + WINDOW <= s.length; i += stride) into.add(s.slice(i, i + WINDOW));
}

/** The first offset at which `data` holds one of `wanted` (16-byte latin1 strings), or -1. Checks every offset. */
function firstWindowHit(data: Buffer, wanted: Set<string>): number {
  const s = data.toString('latin1');
  for (let i = 0; i + WINDOW <= s.length; i++) if (wanted.has(s.slice(i, i + WINDOW))) return i;
  return -1;
}

/** `dir` and every directory below it. */
async function listDirectories(dir: string): Promise<string[]> {
  const out = [dir];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) out.push(...await listDirectories(join(dir, entry.name)));
  }
  return out;
}

test('no stored object reveals names, paths, content or the passphrase', { timeout: 90_000 }, async () => {
  await withTempDir(async (base) => {
    const password = 'leak-test passphrase: Zanzibar-Quokka-7731';
    const coffer = await Coffer.init(base, { smallChunks: true, password });
    const source = join(base, 'Secret Projects Folder');
    const files: Record<string, Buffer> = {
      'quokka-financials-2026.txt': text('quokka', 2000),
      'zanzibar-merger-plan.md': text('zanzibar', 300),
      'tiny-password-hint.txt': Buffer.from('the hint is: a distinctive tiny file\n'),
      'random-payload.bin': pseudoRandomBytes('leak random', 2 * 1024 * 1024),
      'mixed-content.dat': Buffer.concat([text('mixed', 50), pseudoRandomBytes('leak mixed', 100_000), text('trailer', 50)]),
    };
    await makeTree(source, {
      'Marketing Budget Drafts': {
        'quokka-financials-2026.txt': files['quokka-financials-2026.txt']!,
        'zanzibar-merger-plan.md': files['zanzibar-merger-plan.md']!,
      },
      'Personal Letters Archive': {
        'tiny-password-hint.txt': files['tiny-password-hint.txt']!,
        'deeper-subdirectory-name': { 'random-payload.bin': files['random-payload.bin']! },
      },
      'mixed-content.dat': files['mixed-content.dat']!,
    });
    await coffer.backup([source]);
    // A second snapshot, so snapshots, indexes and trees of a later backup are covered too.
    await makeTree(join(source, 'Added Later Directory'), { 'late-arrival-notes.txt': text('latecomer', 10) });
    await coffer.backup([source]);

    const names = [
      ...Object.keys(files), 'Marketing Budget Drafts', 'Personal Letters Archive', 'deeper-subdirectory-name',
      'Added Later Directory', 'late-arrival-notes.txt',
      ...source.split('/').filter((c) => c.length >= MIN_COMPONENT),
    ];
    const contentWindows = new Set<string>();
    for (const data of [...Object.values(files), text('latecomer', 10)]) windows(data, data.length > 256 * 1024 ? 8 : 1, contentWindows);

    // The detector finds content at any offset, also between the sampled ones.
    const probe = Buffer.concat([Buffer.from('xyz'), files['random-payload.bin']!.subarray(1003, 1003 + 2 * WINDOW)]);
    assert.ok(firstWindowHit(probe, contentWindows) >= 0, 'the content detector works');

    const objects = await listFiles(coffer.repo);
    assert.ok(objects.some((o) => o.includes('/data/')) && objects.some((o) => o.includes('/snapshots/')), 'the repository has packs and snapshots');
    for (const object of objects) {
      const bytes = await readFile(object);
      const shown = object.slice(coffer.repo.length + 1);
      for (const name of names) {
        assert.equal(bytes.indexOf(name), -1, `${shown} holds the name ${JSON.stringify(name)}`);
        assert.equal(bytes.indexOf(Buffer.from(name).toString('base64')), -1, `${shown} holds the name ${JSON.stringify(name)} in base64`);
      }
      const hit = firstWindowHit(bytes, contentWindows);
      assert.equal(hit, -1, `${shown} holds 16 bytes of file content at offset ${hit}`);
      assert.equal(bytes.indexOf(password), -1, `${shown} holds the passphrase`);
      assert.equal(bytes.indexOf(Buffer.from(password, 'utf16le')), -1, `${shown} holds the passphrase (UTF-16)`);
    }

    const cached = await listFiles(coffer.cacheDir);
    assert.ok(cached.length > 0, 'the cache directory is in use');
    // docs/security.md 5: files 0600, the directories coffer creates 0700.
    for (const file of cached) assert.equal((await stat(file)).mode & 0o777, 0o600, `mode of cache file ${file}`);
    for (const dir of await listDirectories(coffer.cacheDir)) assert.equal((await stat(dir)).mode & 0o777, 0o700, `mode of cache directory ${dir}`);
    for (const file of cached) {
      const bytes = await readFile(file);
      assert.equal(bytes.indexOf(password), -1, `cache file ${file} holds the passphrase`);
      const hit = firstWindowHit(bytes, contentWindows);
      assert.equal(hit, -1, `cache file ${file} holds 16 bytes of file content at offset ${hit}`);
    }
  });
});
