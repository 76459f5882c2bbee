/**
 * Tar headers read back by an independent reader (tar-stream's extract);
 * GNU tar reads them in src/e2e/dump.test.ts.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import tar from 'tar-stream';
import { encodeTarHeader, splitDeviceNumber, TAR_BLOCK, TAR_END, tarPadding, type TarEntry } from './tar-header.js';

interface Member { header: tar.Header & { pax?: Record<string, string> | null }; body: Buffer }

async function readArchive(bytes: Buffer): Promise<Member[]> {
  const members: Member[] = [];
  const extract = tar.extract();
  Readable.from([bytes]).pipe(extract);
  for await (const entry of extract) {
    const chunks: Buffer[] = [];
    for await (const chunk of entry) chunks.push(chunk as Buffer);
    members.push({ header: entry.header as Member['header'], body: Buffer.concat(chunks) });
  }
  return members;
}

function archive(entries: readonly (TarEntry & { body?: Buffer })[]): Buffer {
  return Buffer.concat([
    ...entries.flatMap((e) => [encodeTarHeader(e), e.body ?? Buffer.alloc(0), tarPadding(e.body?.length ?? 0)]),
    TAR_END,
  ]);
}

const T = 1_700_000_000_123_456_789n;
const base = { mode: 0o644, uid: 1000, gid: 100, mtime: 1_700_000_000_000_000_000n };

test('ustar members read back with every field; pax only where ustar cannot say it', async () => {
  const longName = `${'d'.repeat(120)}/${'f'.repeat(90)}`; // splits into prefix and name
  const veryLong = `${'x'.repeat(300)}/file`; // needs pax
  const bytes = archive([
    { ...base, path: Buffer.from('dir'), type: 'dir', mode: 0o2755 },
    { ...base, path: Buffer.from('dir/a.txt'), type: 'file', size: 5, body: Buffer.from('hello'), mode: 0o4755 },
    { ...base, path: Buffer.from('dir/b'), type: 'link', linkTarget: Buffer.from('dir/a.txt') },
    { ...base, path: Buffer.from('dir/s'), type: 'symlink', linkTarget: Buffer.from('../somewhere') },
    { ...base, path: Buffer.from('dir/p'), type: 'fifo', mode: 0o600 },
    { ...base, path: Buffer.from('dir/sda1'), type: 'blockdev', devMajor: 8, devMinor: 1 },
    { ...base, path: Buffer.from(longName), type: 'file', size: 0 },
    { ...base, path: Buffer.from(veryLong), type: 'file', size: 1, body: Buffer.from('!') },
    { ...base, path: Buffer.from('ns'), type: 'file', size: 0, mtime: T, uid: 3_000_000, gid: 2_500_000 },
    { ...base, path: Buffer.from('Café'), type: 'symlink', linkTarget: Buffer.from(`${'t'.repeat(150)}/é`) },
    { ...base, path: Buffer.from('old'), type: 'file', size: 0, mtime: -1_500_000_000n },
  ]);
  assert.equal(bytes.length % TAR_BLOCK, 0);
  const members = await readArchive(bytes);
  const shown = members.map(({ header: h, body }) => ({
    name: h.name, type: h.type, mode: h.mode, uid: h.uid, gid: h.gid, size: h.size, linkname: h.linkname ?? null,
    body: body.toString(), pax: h.pax ?? null,
  }));
  const plain = { mode: 0o644, uid: 1000, gid: 100, linkname: null, body: '', pax: null, size: 0 };
  assert.deepEqual(shown, [
    { ...plain, name: 'dir/', type: 'directory', mode: 0o2755 },
    { ...plain, name: 'dir/a.txt', type: 'file', size: 5, body: 'hello', mode: 0o4755 },
    { ...plain, name: 'dir/b', type: 'link', linkname: 'dir/a.txt' },
    { ...plain, name: 'dir/s', type: 'symlink', linkname: '../somewhere' },
    { ...plain, name: 'dir/p', type: 'fifo', mode: 0o600 },
    { ...plain, name: 'dir/sda1', type: 'block-device' },
    { ...plain, name: longName, type: 'file' },
    { ...plain, name: veryLong, type: 'file', size: 1, body: '!', pax: { path: veryLong } },
    // tar-stream reads only path and linkpath from pax records; the ustar fields hold their largest value.
    { ...plain, name: 'ns', type: 'file', uid: 0o7777777, gid: 0o7777777,
      pax: { mtime: '1700000000.123456789', uid: '3000000', gid: '2500000' } },
    { ...plain, name: 'Café', type: 'symlink', linkname: `${'t'.repeat(150)}/é`,
      pax: { path: 'Café', linkpath: `${'t'.repeat(150)}/é` } },
    { ...plain, name: 'old', type: 'file', pax: { mtime: '-1.500000000' } },
  ]);
  assert.deepEqual([members[5]!.header.devmajor, members[5]!.header.devminor], [8, 1]);
  assert.equal(members[1]!.header.mtime?.getTime(), 1_700_000_000_000);
});

test('names and targets that are not UTF-8 go into pax records as raw bytes, marked hdrcharset=BINARY', () => {
  const name = Buffer.from([0x66, 0xff, 0xfe, 0x2e, 0x62]);
  const header = encodeTarHeader({ ...base, path: name, type: 'symlink', linkTarget: Buffer.from([0x2e, 0x2e, 0x2f, 0xe9]) });
  assert.equal(header.length, 3 * TAR_BLOCK, 'pax header, one block of records, ustar header');
  const records = header.subarray(TAR_BLOCK, 2 * TAR_BLOCK);
  const expected = Buffer.concat([
    Buffer.from('21 hdrcharset=BINARY\n'),
    Buffer.from('14 path='), name, Buffer.from('\n'),
    Buffer.from('17 linkpath=../'), Buffer.of(0xe9), Buffer.from('\n'),
  ]);
  assert.ok(records.subarray(0, expected.length).equals(expected), records.subarray(0, expected.length).toString('latin1'));
  assert.ok(records.subarray(expected.length).every((b) => b === 0));
  assert.equal(String.fromCharCode(header[156]!), 'x');
  assert.equal(String.fromCharCode(header[2 * TAR_BLOCK + 156]!), '2');
});

test('pax record lengths count their own digits', () => {
  // A value that makes the record exactly cross from 2 to 3 length digits.
  for (let n = 85; n <= 100; n++) {
    const path = Buffer.from('p'.repeat(n - 1) + 'é');
    const header = encodeTarHeader({ ...base, path, type: 'file', size: 0 });
    const records = header.subarray(TAR_BLOCK, 2 * TAR_BLOCK);
    const space = records.indexOf(0x20);
    const length = Number(records.subarray(0, space).toString());
    assert.equal(records[length - 1], 0x0a, `record of declared length ${length} ends in a newline`);
    assert.equal(records[length], 0, 'and nothing follows');
  }
});

test('sizes of 8 GiB and more go into a pax size record', () => {
  const size = 9 * 1024 ** 3;
  const header = encodeTarHeader({ ...base, path: Buffer.from('big'), type: 'file', size });
  assert.ok(header.subarray(TAR_BLOCK, 2 * TAR_BLOCK).toString('latin1').startsWith(`19 size=${size}\n`));
});

test('device numbers split as Linux encodes them', () => {
  assert.deepEqual(splitDeviceNumber(0x801), { major: 8, minor: 1 });
  assert.deepEqual(splitDeviceNumber(0x103), { major: 1, minor: 3 });
  // makedev(259, 300000): minor bits above 8 live at bit 12 and up, major bits above 12 at bit 32.
  const rdev = (300000 & 0xff) + ((259 & 0xfff) << 8) + (300000 >> 8) * 2 ** 20;
  assert.deepEqual(splitDeviceNumber(rdev), { major: 259, minor: 300000 });
});
