/**
 * High-water marks in the local cache (docs/format.md "Local cache"): the
 * highest signer set version and, per signer, the newest snapshot this
 * client has written or seen. Storage can hide objects but cannot lower
 * these, so `check` notices a rollback, and a write-only key, which cannot
 * open snapshots, learns from them its next sequence number and previous
 * snapshot. Like the rest of the cache it may be deleted (a write-only key
 * then starts a new chain at sequence 1, which `check` notes).
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** The newest snapshot of one signer known to this client. */
export interface SignerHead {
  readonly sequence: number;
  readonly snapshot: string;
}

interface Stored {
  version: 1;
  signerSet: number;
  signers: Record<string, SignerHead>;
}

const FILE_NAME = 'high-water.json';
const HEX = /^[0-9a-f]{64}$/;

export class HighWater {
  private signerSet = 0;
  private readonly heads = new Map<string, SignerHead>();

  private constructor(private readonly file: string | null) {}

  /** Marks kept only in memory (`--no-cache`, tests). */
  static inMemory(): HighWater {
    return new HighWater(null);
  }

  /** Loads `<cacheDir>/high-water.json`; a missing or damaged file gives no marks. */
  static async load(cacheDir: string | null): Promise<HighWater> {
    const marks = new HighWater(cacheDir === null ? null : join(cacheDir, FILE_NAME));
    if (marks.file) marks.merge(await readStored(marks.file));
    return marks;
  }

  get signerSetVersion(): number {
    return this.signerSet;
  }

  /** Every signer with a mark, by public key (hex). */
  get signers(): ReadonlyMap<string, SignerHead> {
    return this.heads;
  }

  head(signer: string): SignerHead | undefined {
    return this.heads.get(signer);
  }

  observeSignerSet(version: number): void {
    this.signerSet = Math.max(this.signerSet, version);
  }

  /** Records a snapshot of `signer` (hex) if it is newer (higher sequence) than its mark. */
  observeSnapshot(signer: string, head: SignerHead): void {
    const known = this.heads.get(signer);
    if (!known || head.sequence > known.sequence) this.heads.set(signer, { sequence: head.sequence, snapshot: head.snapshot });
  }

  /**
   * Writes the marks, merged with what the file holds now (another coffer
   * process may have raised some), to a temporary name and renames it.
   */
  async save(): Promise<void> {
    if (!this.file) return;
    this.merge(await readStored(this.file));
    const stored: Stored = { version: 1, signerSet: this.signerSet, signers: Object.fromEntries(this.heads) };
    await mkdir(dirname(this.file), { recursive: true, mode: 0o700 });
    const temp = `${this.file}.${process.pid}.tmp`;
    await writeFile(temp, JSON.stringify(stored), { mode: 0o600 });
    await rename(temp, this.file);
  }

  private merge(stored: Stored | undefined): void {
    if (!stored) return;
    this.observeSignerSet(stored.signerSet);
    for (const [signer, head] of Object.entries(stored.signers)) this.observeSnapshot(signer, head);
  }
}

/** The stored marks, or undefined if the file is missing or not what this code writes. */
async function readStored(file: string): Promise<Stored | undefined> {
  let value: unknown;
  try {
    value = JSON.parse(await readFile(file, 'utf8'));
  } catch {
    return undefined;
  }
  const stored = value as Partial<Stored> | null;
  if (!stored || stored.version !== 1 || !Number.isSafeInteger(stored.signerSet) || typeof stored.signers !== 'object' || !stored.signers) {
    return undefined;
  }
  const signers: Record<string, SignerHead> = {};
  for (const [signer, head] of Object.entries(stored.signers)) {
    const h = head as Partial<SignerHead> | null;
    if (HEX.test(signer) && h && Number.isSafeInteger(h.sequence) && (h.sequence ?? 0) >= 1 && typeof h.snapshot === 'string' && HEX.test(h.snapshot)) {
      signers[signer] = { sequence: h.sequence!, snapshot: h.snapshot };
    }
  }
  return { version: 1, signerSet: stored.signerSet!, signers };
}
