// Index poisoning and endorsement, with write-only hosts driven through the
// CLI and one deliberately lying writer: hosts deduplicate only against
// their own entries and the owner-endorsed index, so the owner's `check
// --read-data --endorse` lets one host reuse another's data, while the
// liar's entries never make a backup incomplete, and check names each.
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { LocalBackend } from '../backend/local.js';
import { chunkBuffer } from '../chunker/index.js';
import { blobIdOf, randomBytes } from '../crypto/index.js';
import { BlobType, type IndexPack, type PackId } from '../format/index.js';
import { idOfName, indexName, openIndex, openRepositoryWithKeyFile, sealIndex, type Repository } from '../repository/index.js';
import { makeTree, readTree } from '../source/testing.js';
import {
  CHEAP_SCRYPT, Coffer, describeRun, jsonLines, objectNames, pseudoRandomBytes, restoredPath, toMicroseconds, type RunOptions,
} from './testing.js';

let dir: string;
let coffer: Coffer;
const hosts = new Map<string, RunOptions & { keyFile: string; password: string }>();

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'coffer-poison-'));
  coffer = await Coffer.init(dir, { smallChunks: true });
  for (const name of ['host-a', 'host-b', 'host-c', 'liar']) {
    const keyFile = join(dir, `${name}.key`);
    const passwordFile = join(dir, `${name}.pass`);
    const password = `${name} passphrase`;
    await writeFile(passwordFile, password);
    await coffer.ok(['key', 'add', '--write-only', '--name', name, '--output', keyFile, '--new-password-file', passwordFile, ...CHEAP_SCRYPT]);
    hosts.set(name, { keyFile, password, passwordFile, cacheDir: join(dir, `${name}-cache`), env: { COFFER_KEY_FILE: keyFile } });
  }
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const host = (name: string) => hosts.get(name)!;

async function restoresExactly(snapshot: string, source: string): Promise<void> {
  const target = join(dir, `restore-${snapshot.slice(0, 8)}`);
  await coffer.ok(['restore', snapshot, '--target', target]);
  assert.deepEqual(toMicroseconds(await readTree(restoredPath(target, source))), toMicroseconds(await readTree(source)), `snapshot ${snapshot}`);
}

test('two write-only hosts: once the owner endorses the first one\'s data, a host with the same data adds almost nothing', { timeout: 180_000 }, async (t) => {
  const common = pseudoRandomBytes('common', 1_500_000);
  const srcA = join(dir, 'a');
  const srcB = join(dir, 'b');
  const srcC = join(dir, 'c');
  await makeTree(srcA, { 'common.bin': common, 'a.bin': pseudoRandomBytes('a', 300_000) });
  await makeTree(srcB, { 'common.bin': common, 'b.bin': pseudoRandomBytes('b', 300_000) });
  const a = await coffer.backup([srcA], host('host-a'));
  // Not endorsed yet: host-b does not trust host-a's index entries, so it stores the common data again.
  const b = await coffer.backup([srcB], host('host-b'));
  assert.ok(b.bytesAdded > common.length, `before endorsement host-b stores the common data again (${b.bytesAdded} bytes)`);

  const endorse = await coffer.ok(['check', '--read-data', '--endorse', '--json']);
  const report = jsonLines(endorse.stdout).at(-1) as { ok: boolean; packsEndorsed: number; endorsedIndexes: string[] };
  assert.ok(report.ok && report.packsEndorsed > 0 && report.endorsedIndexes.length > 0, describeRun(endorse));

  await cp(srcB, srcC, { recursive: true, preserveTimestamps: true });
  await writeFile(join(srcC, 'c.txt'), 'only on host c');
  const c = await coffer.backup([srcC], host('host-c'));
  assert.ok(c.bytesAdded < (common.length + 300_000) / 20, `after endorsement host-c adds almost nothing (${c.bytesAdded} bytes)`);
  assert.equal(c.filesNew, 3, 'host-c read its files: it deduplicated by content, not by a cache');
  t.diagnostic(`bytes added: host-a ${a.bytesAdded}, host-b before endorsement ${b.bytesAdded}, host-c after ${c.bytesAdded} (${report.packsEndorsed} packs endorsed)`);

  for (const [summary, source] of [[a, srcA], [b, srcB], [c, srcC]] as const) await restoresExactly(summary.snapshot, source);
  // A second endorsement adds only what is new (host-c's packs), never the same packs again.
  const again = jsonLines((await coffer.ok(['check', '--read-data', '--endorse', '--json'])).stdout).at(-1) as { packsEndorsed: number };
  assert.ok(again.packsEndorsed <= 2, `only host-c's new packs are endorsed (${again.packsEndorsed})`);
});

/** The liar, in this process, with its write-only key file: it can read its domain's index and sign entries. */
async function openLiar(): Promise<{ liar: Repository; backend: LocalBackend }> {
  const backend = new LocalBackend(coffer.repo);
  const liar = host('liar');
  const { repository } = await openRepositoryWithKeyFile(backend, { bytes: await readFile(liar.keyFile), what: 'liar key' }, liar.password);
  return { liar: repository, backend };
}

test('a lying writer cannot make another host\'s backup incomplete, and check --read-data names every false entry and the snapshots it touches', { timeout: 180_000 }, async () => {
  const { liar, backend } = await openLiar();
  const victimData = pseudoRandomBytes('victim', 700_000);
  const domain = liar.keyring.domains[0]!;
  // The liar predicts the victim's content: with the domain's chunker seed and id key it computes the blob ids.
  const ids: string[] = [];
  let pos = 0;
  for (const length of chunkBuffer(victimData, domain.gear, liar.config.domains[0]!.chunker)) {
    ids.push(blobIdOf(domain.keys.idKey, BlobType.data, victimData.subarray(pos, pos + length)).toString('hex'));
    pos += length;
  }
  assert.ok(ids.length >= 3, `${ids.length} victim blobs`);
  // Real packs and entries of other hosts, from index objects the liar can read.
  const real: { pack: string; entry: IndexPack['entries'][number] }[] = [];
  for (const name of await objectNames(coffer.repo, 'index')) {
    for (const pack of openIndex(idOfName(name), await backend.load(name), liar.keyring.domains).payload.packs) {
      if (pack.type === 'data') for (const entry of pack.entries) real.push({ pack: pack.id, entry });
    }
  }
  const packs = [...new Set(real.map((r) => r.pack))];
  assert.ok(packs.length >= 2);
  const template = real[0]!.entry;
  const claim = (id: string) => ({ ...template, id: id as typeof template.id });
  const inFirst = new Set(real.filter((r) => r.pack === packs[0]).map((r) => r.entry.id as string));
  const wrongPackFor = real.find((r) => r.pack !== packs[0] && !inFirst.has(r.entry.id))!;
  const missingPack = randomBytes(32).toString('hex') as PackId;
  const lies: IndexPack[] = [
    // Blobs it never stored, in a pack that does not exist...
    { id: missingPack, type: 'data', entries: ids.slice(0, 2).map(claim) },
    // ...in a real pack that does not hold them, and a real blob of another host placed in the wrong pack.
    { id: packs[0] as PackId, type: 'data', entries: [...ids.slice(2).map(claim), { ...wrongPackFor.entry }] },
  ];
  const sealed = sealIndex({ superseded: [], packs: lies }, domain, liar.keyring.signer);
  await backend.save(indexName(sealed.id), sealed.bytes);
  await backend.close();

  const srcV = join(dir, 'victim');
  await makeTree(srcV, { 'victim.bin': victimData });
  const victim = await coffer.backup([srcV], host('host-b'));
  assert.ok(victim.bytesAdded >= victimData.length, `the victim stored every blob despite the lies (${victim.bytesAdded} bytes)`);
  await restoresExactly(victim.snapshot, srcV);

  const result = await coffer.run(['check', '--read-data', '--json']);
  assert.equal(result.code, 1, describeRun(result));
  const { problems } = jsonLines(result.stdout).at(-1) as { problems: { object: string; message: string }[] };
  const falseEntries = problems.filter((p) => p.message.includes('false entry'));
  assert.equal(falseEntries.length, ids.length + 1, JSON.stringify(problems, null, 1));
  for (const p of falseEntries) {
    assert.equal(p.object, indexName(sealed.id));
    assert.match(p.message, /signed by liar \(/);
  }
  for (const id of ids) assert.ok(falseEntries.some((p) => p.message.includes(id.slice(0, 8))), `entry for ${id.slice(0, 8)} named`);
  assert.ok(falseEntries.some((p) => /is missing from storage/.test(p.message)));
  assert.ok(falseEntries.some((p) => /does not hold it/.test(p.message)));
  const affected = problems.filter((p) => p.message.includes('that false index entries name'));
  assert.ok(affected.some((p) => p.object === `snapshots/${victim.snapshot}` && /a verified copy of each exists/.test(p.message)),
    JSON.stringify(affected, null, 1));
  // The liar's pack that does not exist may also be reported as such (if its entry is the one kept); nothing else is wrong.
  const missing = problems.filter((p) => p.message.includes(`pack ${missingPack.slice(0, 8)} is indexed but missing`));
  assert.equal(problems.length, falseEntries.length + affected.length + missing.length, `nothing else is wrong\n${JSON.stringify(problems, null, 1)}`);
});
