/**
 * Retention through the CLI: snapshots imported with `backup --time`,
 * `forget` with a policy (dry run, text and JSON), snapshot times checked
 * against storage times, unverified snapshots and a second signer, and
 * restores of what is kept. One fixture repository; tests that change it
 * work on copies.
 */
import assert from 'node:assert/strict';
import { access, cp, mkdir, mkdtemp, readFile, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { LocalBackend } from '../backend/local.js';
import { generateRawKeyPair } from '../crypto/index.js';
import { encodeSnapshotJson, type Snapshot } from '../format/index.js';
import { openRepository, snapshotName } from '../repository/index.js';
import { sealDocument } from '../repository/sealed-document.js';
import { removeTree } from '../source/testing.js';
import { Coffer, describeRun, jsonLines, objectNames, restoredPath, type RunResult } from './testing.js';

/** The snapshots the fixture imports: name, --time, tags. The content of note.txt is `version <name>`. */
const IMPORTS = [
  { name: 's1', time: '2024-01-01T09:00:00Z', tags: [] },
  { name: 's2', time: '2024-01-01T18:00:00Z', tags: ['keep'] },
  { name: 's3', time: '2024-01-02T09:00:00Z', tags: [] },
  { name: 's4', time: '2024-01-15T09:00:00Z', tags: [] },
  { name: 's5', time: '2024-02-03T09:00:00Z', tags: [] },
  // Local time in a zone without daylight saving (+05:30): 2024-02-04T04:30:00Z.
  { name: 's6', time: '2024-02-04 10:00:00', tags: [], zone: 'Asia/Kolkata', utc: '2024-02-04T04:30:00.000000000Z' },
] as const;

interface ForgetLine {
  readonly type: 'snapshot';
  readonly id: string;
  readonly action: 'keep' | 'remove' | 'leave';
  readonly reasons: readonly { readonly rule: string; readonly text: string }[];
  readonly note: string | null;
  readonly time: string;
  readonly effectiveTime: string;
  readonly timeCapped: boolean;
  readonly verified: boolean;
  readonly signerName: string | null;
}

interface ForgetSummary {
  readonly type: 'summary';
  readonly dryRun: boolean;
  readonly kept: number;
  readonly toRemove: number;
  readonly removed: number;
  readonly failed: number;
  readonly leftUnverified: number;
}

let base: string;
let coffer: Coffer;
let source: string;
/** Snapshot ids by fixture name, and back. */
const ids = new Map<string, string>();
const names = new Map<string, string>();

before(async () => {
  base = await mkdtemp(join(tmpdir(), 'coffer-e2e-forget-'));
  coffer = await Coffer.init(base);
  source = join(base, 'source');
  await mkdir(source);
  await writeFile(join(source, 'same.txt'), 'unchanged in every snapshot\n');
  for (const snap of IMPORTS) {
    await writeFile(join(source, 'note.txt'), `version ${snap.name}\n`);
    const env = { TZ: 'zone' in snap ? snap.zone : 'UTC' };
    const summary = await coffer.backup([source], { args: ['--time', snap.time, ...snap.tags.flatMap((t) => ['--tag', t])], env });
    ids.set(snap.name, summary.snapshot);
    names.set(summary.snapshot, snap.name);
  }
});

after(async () => {
  if (base) await removeTree(base);
});

/** A copy of the fixture repository for a test that changes it. */
async function copyRepo(label: string): Promise<{ run: (args: readonly string[], env?: Record<string, string>) => Promise<RunResult>; repo: string }> {
  const repo = join(base, `repo-${label}`);
  await cp(coffer.repo, repo, { recursive: true, preserveTimestamps: true });
  const cacheDir = join(base, `cache-${label}`);
  return { repo, run: (args, env = {}) => coffer.run(args, { repo, cacheDir, env: { TZ: 'UTC', ...env } }) };
}

function forgetLines(result: RunResult): { snapshots: ForgetLine[]; summary: ForgetSummary } {
  assert.equal(result.code, 0, describeRun(result));
  const lines = jsonLines(result.stdout) as (ForgetLine | ForgetSummary)[];
  const summary = lines.at(-1);
  assert.equal(summary?.type, 'summary', describeRun(result));
  return { snapshots: lines.filter((l): l is ForgetLine => l.type === 'snapshot'), summary: summary as ForgetSummary };
}

/** `name:action:reason texts` for each snapshot line, newest first. */
function decisions(lines: readonly ForgetLine[]): string[] {
  return lines.map((l) => `${names.get(l.id) ?? l.id.slice(0, 8)}:${l.action}:${l.reasons.map((r) => r.text).join('+')}`);
}

const POLICY = ['--keep-daily', '2', '--keep-monthly', '2', '--keep-tag', 'keep'];
const EXPECTED = [
  's6:keep:daily 2024-02-04+monthly 2024-02',
  's5:keep:daily 2024-02-03',
  's4:keep:monthly 2024-01',
  's3:remove:',
  's2:keep:tag keep',
  's1:remove:',
];

test('backup --time sets the snapshot time, in RFC 3339 or local time, and refuses the future and garbage', async () => {
  const listed = JSON.parse((await coffer.ok(['snapshots', '--json'])).stdout) as { id: string; time: string; tags: string[] }[];
  const times = new Map(listed.map((s) => [names.get(s.id), s.time]));
  for (const snap of IMPORTS) {
    assert.equal(times.get(snap.name), 'utc' in snap ? snap.utc : snap.time.replace('Z', '.000000000Z'), snap.name);
  }
  const before = await objectNames(coffer.repo, 'snapshots');
  for (const time of ['2999-01-01T00:00:00Z', 'yesterday', '2024-02-30T10:00:00Z', '2024-05-01T10:00:00']) {
    const result = await coffer.run(['backup', '--time', time, source]);
    assert.equal(result.code, 2, describeRun(result));
    assert.match(result.stderr, /--time: /, describeRun(result));
  }
  assert.deepEqual(await objectNames(coffer.repo, 'snapshots'), before, 'a refused --time writes no snapshot');
});

test('forget --dry-run shows every decision with its reasons (JSON and text) and removes nothing', async () => {
  const before = await objectNames(coffer.repo, 'snapshots');
  const { snapshots, summary } = forgetLines(await coffer.run(['forget', '--dry-run', '--json', ...POLICY], { env: { TZ: 'UTC' } }));
  assert.deepEqual(decisions(snapshots), EXPECTED);
  assert.deepEqual({ ...summary }, { type: 'summary', dryRun: true, kept: 4, toRemove: 2, removed: 0, failed: 0, leftUnverified: 0, unreadable: 0 });
  assert.ok(snapshots.every((s) => s.verified && !s.timeCapped && s.effectiveTime === s.time));
  assert.equal(snapshots.find((s) => s.action === 'remove')?.note, 'no rule keeps it');

  const text = await coffer.run(['forget', '--dry-run', ...POLICY], { env: { TZ: 'UTC' } });
  assert.equal(text.code, 0, describeRun(text));
  assert.match(text.stdout, new RegExp(`${ids.get('s6')!.slice(0, 8)}\\s+2024-02-04 04:30:00 .*keep\\s+daily 2024-02-04, monthly 2024-02`));
  assert.match(text.stdout, new RegExp(`${ids.get('s3')!.slice(0, 8)}\\s+2024-01-02 09:00:00 .*would remove\\s+no rule keeps it`));
  assert.match(text.stdout, /4 kept, 2 would be removed \(dry run: nothing was removed\)/);
  assert.match(text.stderr, /run prune to reclaim/);
  assert.deepEqual(await objectNames(coffer.repo, 'snapshots'), before);
});

test('periods follow the TZ the command runs in', async () => {
  // At +14:00, s2 (18:00Z on 1 January) and s3 (09:00Z on 2 January) are both on 2 January.
  const utc = forgetLines(await coffer.run(['forget', '--dry-run', '--json', '--keep-daily', '10'], { env: { TZ: 'UTC' } }));
  const east = forgetLines(await coffer.run(['forget', '--dry-run', '--json', '--keep-daily', '10'], { env: { TZ: 'Pacific/Kiritimati' } }));
  const action = (lines: readonly ForgetLine[], name: string) => lines.find((l) => l.id === ids.get(name))?.action;
  assert.equal(action(utc.snapshots, 's2'), 'keep');
  assert.equal(action(east.snapshots, 's2'), 'remove');
  assert.ok(east.snapshots.find((l) => l.id === ids.get('s3'))?.reasons.some((r) => r.text === 'daily 2024-01-02'));
});

test('forget removes what the policy does not keep; the kept snapshots still restore and check passes', async () => {
  const { repo, run } = await copyRepo('policy');
  const { snapshots, summary } = forgetLines(await run(['forget', '--json', ...POLICY]));
  assert.deepEqual(decisions(snapshots), EXPECTED);
  assert.equal(summary.removed, 2);
  const left = (await objectNames(repo, 'snapshots')).map((n) => names.get(n.slice('snapshots/'.length))).sort();
  assert.deepEqual(left, ['s2', 's4', 's5', 's6']);

  const again = forgetLines(await run(['forget', '--json', ...POLICY]));
  assert.equal(again.summary.toRemove, 0, 'applying the same policy again removes nothing');

  for (const name of ['s2', 's6']) {
    const target = join(base, `restore-${name}`);
    const restored = await run(['restore', ids.get(name)!, '--target', target]);
    assert.equal(restored.code, 0, describeRun(restored));
    assert.equal(await readFile(restoredPath(target, join(source, 'note.txt')), 'utf8'), `version ${name}\n`);
  }
  const check = await run(['check']);
  assert.equal(check.code, 0, describeRun(check));
});

test('a snapshot claiming a time after its storage time counts at the storage time', async () => {
  const { repo, run } = await copyRepo('skew');
  // Storage says s6 was stored on 10 January, but it claims 4 February: as if its writer had dated it ahead.
  const stored = new Date('2024-01-10T00:00:00Z');
  await utimes(join(repo, snapshotName(ids.get('s6')!)), stored, stored);
  const { snapshots } = forgetLines(await run(['forget', '--dry-run', '--json', '--keep-last', '1']));
  const s6 = snapshots.find((s) => s.id === ids.get('s6'))!;
  assert.equal(s6.timeCapped, true);
  assert.equal(s6.effectiveTime, '2024-01-10T00:00:00.000000000Z');
  assert.equal(s6.action, 'remove');
  assert.deepEqual(decisions(snapshots).slice(0, 1), ['s5:keep:last 1']);

  const text = await run(['forget', '--dry-run', '--keep-last', '1']);
  assert.match(text.stdout, new RegExp(`\\* ${ids.get('s6')!.slice(0, 8)} claims 2024-02-04 04:30:00, after storage stored it \\(2024-01-10 00:00:00\\); counted at its storage time`), describeRun(text));
});

/** Seals a snapshot like s6 but signed by `signer` and claiming `time`; returns its id. */
async function plantSnapshot(repo: string, signer: { publicKey: Buffer; privateKey: Buffer }, time: bigint, authorize?: string): Promise<string> {
  const backend = new LocalBackend(repo);
  try {
    const { repository } = await openRepository(backend, coffer.password);
    const real = await repository.loadSnapshot(ids.get('s6')!);
    if (authorize) {
      const set = await repository.loadSignerSet();
      await repository.saveSignerSet({
        ...set, version: set.version + 1,
        signers: [...set.signers, { name: authorize, publicKey: signer.publicKey, role: 'full', added: time, revoked: null }],
      }, repository.keyring.ownerPrivateKey!);
    }
    const snapshot: Snapshot = { ...real.snapshot, time, signer: signer.publicKey, sequence: 1, previous: null };
    const sealed = sealDocument('snapshot', encodeSnapshotJson(snapshot), signer, repository.keyring.readPublicKey);
    await backend.save(snapshotName(sealed.id), sealed.bytes);
    return sealed.id;
  } finally {
    await backend.close();
  }
}

const MARCH = 1_709_251_200_000_000_000n; // 2024-03-01T00:00:00Z

test('unverified snapshots never count and are left alone, unless --allow-unverified', async () => {
  const { repo, run } = await copyRepo('unverified');
  const forged = await plantSnapshot(repo, generateRawKeyPair('ed25519'), MARCH);
  const exists = () => access(join(repo, snapshotName(forged))).then(() => true, () => false);

  const plain = forgetLines(await run(['forget', '--json', '--keep-last', '1']));
  const line = plain.snapshots.find((s) => s.id === forged)!;
  assert.equal(line.action, 'leave');
  assert.equal(line.verified, false);
  assert.match(line.note ?? '', /unverified: not counted and not removed/);
  assert.equal(plain.snapshots.find((s) => s.id === ids.get('s6'))?.action, 'keep', 'the newer forged snapshot does not displace s6');
  assert.equal(plain.summary.leftUnverified, 1);
  assert.equal(await exists(), true);

  const text = await run(['forget', '--dry-run', '--keep-last', '1']);
  assert.match(text.stdout, /UNVERIFIED: signature missing, broken or by an unknown signer/);
  assert.match(text.stdout, /1 unverified left alone/);

  // With --allow-unverified the policy applies to it in its own group: the only one there, so kept.
  const allowed = forgetLines(await run(['forget', '--json', '--keep-last', '1', '--allow-unverified']));
  assert.equal(allowed.snapshots.find((s) => s.id === forged)?.action, 'keep');

  // Named: refused without the flag (nothing removed), removed with it.
  const refused = await run(['forget', forged.slice(0, 10), ids.get('s6')!]);
  assert.equal(refused.code, 2, describeRun(refused));
  assert.match(refused.stderr, /nothing was removed.*--allow-unverified/);
  assert.equal(await exists(), true);
  assert.equal((await objectNames(repo, 'snapshots')).includes(snapshotName(ids.get('s6')!)), true);
  const named = forgetLines(await run(['forget', '--json', '--allow-unverified', forged.slice(0, 10)]));
  assert.deepEqual(named.snapshots.map((s) => [s.id, s.action, s.note]), [[forged, 'remove', 'named on the command line']]);
  assert.equal(named.summary.removed, 1);
  assert.equal(await exists(), false);
});

test('another authorized signer is always its own group, even with --group-by ""', async () => {
  const { repo, run } = await copyRepo('signers');
  const other = await plantSnapshot(repo, generateRawKeyPair('ed25519'), MARCH, 'host-b');
  const { snapshots } = forgetLines(await run(['forget', '--dry-run', '--json', '--keep-last', '1', '--group-by', '']));
  const kept = snapshots.filter((s) => s.action === 'keep').map((s) => `${names.get(s.id) ?? s.signerName}`);
  assert.deepEqual(kept.sort(), ['host-b', 's6']);
  assert.equal(snapshots.find((s) => s.id === other)?.verified, true);
});

test('forget refuses unclear requests with usage errors and names what is wrong', async () => {
  const cases: [readonly string[], RegExp][] = [
    [[], /no policy and no snapshot ids/],
    [['--keep-last', '1', ids.get('s1')!], /either --keep-\* rules or snapshot ids/],
    [['--keep-daily', '0', '--keep-last', '0'], /every --keep-\* rule is 0/],
    [['--keep-daily', 'many'], /--keep-daily: "many" is not a count/],
    [['--keep-within', '2w'], /--keep-within: "2w" is not a duration/],
    [['--keep-last', '1', '--group-by', 'host,user'], /--group-by: unknown field "user"/],
    [['zz'], /"zz" is not a snapshot id/],
  ];
  for (const [args, message] of cases) {
    const result = await coffer.run(['forget', ...args]);
    assert.equal(result.code, 2, describeRun(result));
    assert.match(result.stderr, message, describeRun(result));
  }
  const missing = await coffer.run(['forget', '0000000']);
  assert.equal(missing.code, 1, describeRun(missing));
  assert.match(missing.stderr, /no snapshot 0000000/);
  assert.equal((await objectNames(coffer.repo, 'snapshots')).length, IMPORTS.length);
});
