/**
 * `check`: proves the repository. Structure: every index object, snapshot
 * and signer set opens and verifies; every tree is readable; every blob a
 * snapshot references is indexed; every indexed pack exists. With
 * `readData`: every pack's bytes hash to its name, its trailer agrees with
 * the index, and every blob authenticates and matches its id.
 */
import { describe, throwIfAborted } from '../errors.js';
import { shortId, type BlobId } from '../format/index.js';
import { idOfName, loadPlans, packName, type Repository } from '../repository/index.js';
import { displayPath } from '../source/index.js';
import { fileContent, snapshotPath, walkTree } from '../walker/index.js';
import { Semaphore } from '../semaphore.js';

export interface CheckProblem {
  /** The storage object at fault (or the snapshot path), for the report. */
  readonly object: string;
  readonly message: string;
}

export interface CheckOptions {
  readonly readData?: boolean;
  /** Fraction (0, 1] of packs whose data is read; 1 = all. */
  readonly readDataSubset?: number;
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
}

export async function check(repository: Repository, options: CheckOptions = {}): Promise<CheckResult> {
  const { signal } = options;
  const problems: CheckProblem[] = [];
  const notes: string[] = [];
  const report = (object: string, message: string) => problems.push({ object, message });

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
  for (const record of snapshots) {
    const where = `snapshots/${record.id}`;
    if (!record.verified) report(where, `snapshot ${shortId(record.id)}: signature missing, broken or from an unknown signer`);
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

  let packsRead = 0;
  let blobsRead = 0;
  if (options.readData) {
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
  }

  async function checkPack(name: string): Promise<void> {
    const type = name.startsWith('tree/') ? 'tree' : 'data';
    const packId = idOfName(name);
    try {
      const pack = await repository.readPack(packId, type, signal);
      packsRead += 1;
      for (const entry of pack.entries) {
        try {
          pack.openBlob(entry, repository.codec);
          blobsRead += 1;
        } catch (error) {
          report(name, describe(error));
        }
        const indexed = repository.index.lookup(Buffer.from(entry.id, 'hex'));
        if (indexed && indexed.packId === packId && (indexed.offset !== entry.offset || indexed.sealedLength !== entry.sealedLength)) {
          report(name, `blob ${shortId(entry.id)}: index and pack trailer disagree`);
        }
      }
    } catch (error) {
      throwIfAborted(signal);
      report(name, describe(error));
    }
  }
  return { problems, notes, snapshots: snapshots.length, packsRead, blobsRead };
}
