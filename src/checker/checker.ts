/**
 * `check`: proves the repository. Structure: every index object, snapshot
 * and signer set opens and verifies; every tree is readable; every blob a
 * snapshot references is indexed; every indexed pack exists; each signer's
 * snapshots form an unbroken chain that reaches this client's high-water
 * marks (chains.ts), except where an owner-signed forget record lists the
 * missing snapshot. With `readData`: every pack's bytes hash to its name,
 * every blob authenticates and matches its id, every index entry agrees
 * with the pack it names (poison.ts), and, with `endorse`, the owner signs
 * an index of the packs it verified.
 */
import { describe, throwIfAborted } from '../errors.js';
import { shortId, type BlobEntry, type BlobId, type IndexPack } from '../format/index.js';
import {
  idOfName, loadForgottenSnapshots, loadPlans, packName, requireOwnerKey, saveEndorsedIndex, type HighWater, type Repository,
  type SnapshotRecord, type SnapshotStatus,
} from '../repository/index.js';
import { displayPath } from '../source/index.js';
import { fileContent, snapshotPath, walkTree } from '../walker/index.js';
import { Semaphore } from '../semaphore.js';
import { checkChains, NOTHING_FORGOTTEN, type Forgotten } from './chains.js';
import { judgeClaims, loadClaims, unbackedBlobs, type FalseClaim } from './poison.js';

export interface CheckProblem {
  /** The storage object at fault (or the snapshot path), for the report. */
  readonly object: string;
  readonly message: string;
}

export interface CheckOptions {
  readonly readData?: boolean;
  /** Fraction (0, 1] of packs whose data is read; 1 = all. */
  readonly readDataSubset?: number;
  /** With readData and the owner key: sign an index of the verified packs no owner-signed index lists yet. */
  readonly endorse?: boolean;
  /** This client's marks: snapshots it saw before must still be there; raised to what this check sees. */
  readonly highWater?: HighWater;
  /** Snapshots deleted on purpose, which are not gaps, besides those the owner's forget records list. */
  readonly forgotten?: Forgotten;
  readonly random?: () => number;
  readonly onProgress?: (progress: { phase: string; done: number; total: number }) => void;
  readonly signal?: AbortSignal;
}

export interface CheckResult {
  readonly problems: CheckProblem[];
  /** Facts worth knowing that are not errors (unindexed packs left by an interrupted backup). */
  readonly notes: string[];
  readonly snapshots: number;
  readonly packsRead: number;
  readonly blobsRead: number;
  /** Packs the owner endorsed in this run, and the index objects that list them. */
  readonly packsEndorsed: number;
  readonly endorsedIndexes: string[];
}

const UNVERIFIED: Record<Exclude<SnapshotStatus, 'verified'>, string> = {
  'bad-signature': 'signature missing or broken',
  'unknown-signer': 'signed by an unknown signer',
  'revoked-signer': 'signed by a revoked signer, and not among the snapshots it made before its revocation',
};

export async function check(repository: Repository, options: CheckOptions = {}): Promise<CheckResult> {
  const { signal } = options;
  const problems: CheckProblem[] = [];
  const notes: string[] = [];
  const report = (object: string, message: string) => problems.push({ object, message });
  if (options.endorse) requireOwnerKey(repository.keyring, 'check --endorse'); // before hours of reading

  for (const issue of await repository.loadIndex(signal)) report(issue.object, issue.message);
  // Gc plans must carry the owner's signature (their window is prune's business, not check's).
  const plans = await loadPlans(repository.backend, repository.keyring.ownerPublicKey, { limits: { minWindowMs: 1 }, signal });
  for (const issue of plans.issues) report(issue.object, issue.message);

  const stored = new Map<string, number>();
  for (const prefix of ['data/', 'tree/']) {
    for await (const object of repository.backend.list(prefix, { signal })) stored.set(object.name, object.size);
  }
  const indexedPacks = new Map<string, 'data' | 'tree'>();
  for (const [, location] of repository.index.entries()) {
    indexedPacks.set(location.packId, location.type === 1 ? 'tree' : 'data');
  }
  for (const [packId, type] of indexedPacks) {
    if (!stored.has(packName(type, packId))) report(packName(type, packId), `${type} pack ${shortId(packId)} is indexed but missing from storage`);
  }
  const unindexed = [...stored.keys()].filter((name) => !indexedPacks.has(idOfName(name)));
  if (unindexed.length > 0) notes.push(`${unindexed.length} pack(s) not in any index (left by an interrupted backup; prune reclaims them)`);

  const { snapshots, issues } = await repository.listSnapshots(signal);
  for (const issue of [...repository.signerSetIssues, ...issues]) report(issue.object, issue.message);
  const signers = await repository.knownSigners(signal);
  const nameOf = (signer: string) => `${signers.get(signer)?.name ?? 'unknown'} (${shortId(signer)})`;
  for (const record of snapshots) {
    const where = `snapshots/${record.id}`;
    if (record.status !== 'verified') report(where, `snapshot ${shortId(record.id)}: ${UNVERIFIED[record.status]}`);
    try {
      await walkTree(repository, record.snapshot.tree, async ({ path, node }) => {
        if (node.type !== 'file') return;
        const missing = (await fileContent(repository, node, signal)).filter((id: BlobId) => !repository.index.has(Buffer.from(id, 'hex')));
        if (missing.length > 0) {
          report(where, `${displayPath(snapshotPath(path))}: ${missing.length} data blob(s) not indexed, e.g. ${shortId(missing[0]!)}`);
        }
      }, signal);
    } catch (error) {
      throwIfAborted(signal);
      report(where, `snapshot ${shortId(record.id)}: tree unreadable: ${describe(error)}`);
    }
  }

  const recorded = await loadForgottenSnapshots(repository, signal);
  for (const issue of recorded.issues) report(issue.object, issue.message);
  const given = options.forgotten ?? NOTHING_FORGOTTEN;
  const forgotten: Forgotten = {
    ids: new Set([...given.ids, ...recorded.snapshots.map((s) => s.id as string)]),
    positions: new Set([...given.positions, ...recorded.snapshots.map((s) => `${s.signer.toString('hex')}:${s.sequence}`)]),
  };
  const chains = checkChains(snapshots, new Map(options.highWater?.signers ?? []), forgotten, nameOf);
  problems.push(...chains.problems);
  notes.push(...chains.notes);
  for (const r of snapshots) {
    if (r.verified) options.highWater?.observeSnapshot(r.snapshot.signer.toString('hex'), { sequence: r.snapshot.sequence, snapshot: r.id });
  }

  let packsRead = 0;
  let blobsRead = 0;
  let endorsed: { packs: number; indexes: string[] } = { packs: 0, indexes: [] };
  if (options.readData) {
    const claims = await loadClaims(repository, signal);
    const falseClaims: FalseClaim[] = [];
    const endorsable: { pack: IndexPack; domain: string }[] = [];
    const fraction = options.readDataSubset ?? 1;
    const random = options.random ?? Math.random;
    const names = [...stored.keys()].filter(() => fraction >= 1 || random() < fraction);
    // Two packs at once: one downloads while the other is verified, and memory stays at two packs.
    const slots = new Semaphore(2);
    const checks: Promise<void>[] = [];
    for (const [i, name] of names.entries()) {
      throwIfAborted(signal);
      await slots.acquire();
      options.onProgress?.({ phase: 'read data', done: i, total: names.length });
      checks.push(checkPack(name).finally(() => slots.release()));
    }
    await Promise.all(checks);

    /** Reads one pack: every blob must open and match its id, and every index entry naming the pack must agree. */
    async function checkPack(name: string): Promise<void> {
      const type = name.startsWith('tree/') ? 'tree' : 'data';
      const packId = idOfName(name);
      const packClaims = claims.get(packId) ?? [];
      const verified = new Map<string, BlobEntry>();
      let whole = true;
      let pack;
      try {
        pack = await repository.readPack(packId, type, signal);
      } catch (error) {
        throwIfAborted(signal);
        report(name, describe(error));
        falseClaims.push(...judgeClaims(packId, packClaims, 'unreadable'));
        return;
      }
      packsRead += 1;
      for (const entry of pack.entries) {
        try {
          pack.openBlob(entry, repository.codec);
          blobsRead += 1;
          verified.set(entry.id, entry);
        } catch (error) {
          whole = false;
          report(name, describe(error));
        }
      }
      falseClaims.push(...judgeClaims(packId, packClaims, verified, new Set(pack.entries.map((e) => e.id as string))));
      if (whole && packClaims.length > 0 && !repository.endorsedPacks.has(packId)) {
        endorsable.push({ pack: { id: pack.id as IndexPack['id'], type, entries: pack.entries }, domain: packClaims[0]!.domain });
      }
    }
    for (const [packId, list] of claims) {
      const type = list[0]?.packType ?? 'data';
      if (!stored.has(packName(type, packId))) falseClaims.push(...judgeClaims(packId, list, 'missing'));
    }
    problems.push(...reportFalseClaims(falseClaims, nameOf));
    problems.push(...await affectedSnapshots(repository, snapshots, falseClaims, unbackedBlobs(claims, falseClaims), fraction < 1, signal));
    if (options.endorse) endorsed = await endorse(repository, endorsable, signal);
  }
  return { problems, notes, snapshots: snapshots.length, packsRead, blobsRead, packsEndorsed: endorsed.packs, endorsedIndexes: endorsed.indexes };
}

function reportFalseClaims(falseClaims: readonly FalseClaim[], nameOf: (signer: string) => string): CheckProblem[] {
  return falseClaims.map(({ claim, reason }) => ({
    object: claim.index,
    message: `index ${shortId(idOfName(claim.index))} signed by ${nameOf(claim.signer)}: false entry for ${claim.packType} blob ${shortId(claim.entry.id)}: ${reason}`,
  }));
}

/** One problem per snapshot that references a blob some false entry names, saying whether a verified copy exists. */
async function affectedSnapshots(
  repository: Repository, snapshots: readonly SnapshotRecord[], falseClaims: readonly FalseClaim[], unbacked: ReadonlySet<string>,
  partial: boolean, signal?: AbortSignal,
): Promise<CheckProblem[]> {
  const poisoned = new Set(falseClaims.map((f) => f.claim.entry.id as string));
  if (poisoned.size === 0) return [];
  const out: CheckProblem[] = [];
  for (const record of snapshots) {
    const hits: { blob: string; path: string }[] = [];
    try {
      await walkTree(repository, record.snapshot.tree, async ({ path, node }) => {
        const ids = [...(node.subtree ?? []), ...(node.contentLists ?? []), ...(node.type === 'file' ? await fileContent(repository, node, signal) : [])];
        for (const id of ids) if (poisoned.has(id)) hits.push({ blob: id, path: displayPath(snapshotPath(path)) });
      }, signal);
    } catch {
      continue; // an unreadable tree is reported already
    }
    if (hits.length === 0) continue;
    const lost = hits.filter((h) => unbacked.has(h.blob));
    const example = lost[0] ?? hits[0]!;
    out.push({
      object: `snapshots/${record.id}`,
      message: `snapshot ${shortId(record.id)} references ${hits.length} blob(s) that false index entries name (e.g. ${shortId(example.blob)} in ${example.path}): `
        + (lost.length === 0
          ? 'a verified copy of each exists, so it restores'
          : `${lost.length} have no verified copy${partial ? ' among the packs read' : ''}, so those files cannot be restored`),
    });
  }
  return out;
}

/** Signs an index of the packs read in full, grouped by domain (needs the owner key). */
async function endorse(
  repository: Repository, endorsable: readonly { pack: IndexPack; domain: string }[], signal?: AbortSignal,
): Promise<{ packs: number; indexes: string[] }> {
  const byDomain = new Map<string, IndexPack[]>();
  for (const { pack, domain } of endorsable) byDomain.set(domain, [...(byDomain.get(domain) ?? []), pack]);
  const indexes: string[] = [];
  for (const [domain, packs] of byDomain) indexes.push(...await saveEndorsedIndex(repository, packs, domain, signal));
  return { packs: endorsable.length, indexes };
}
