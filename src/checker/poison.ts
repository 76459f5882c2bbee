/**
 * Index poisoning (docs/security.md): a writer can sign index entries for
 * blobs it never stored, or point them into the wrong pack. With the data
 * read, every entry ("claim") is held against the pack it names: the pack
 * must exist, its authenticated trailer must list the blob exactly as the
 * entry says, and the blob must open and match its id.
 */
import type { BlobEntry, PackType } from '../format/index.js';
import { shortId } from '../format/index.js';
import { idOfName, openIndex, type Repository } from '../repository/index.js';

/** One index entry, with the index object and signer that claim it. */
export interface IndexClaim {
  readonly index: string;
  /** Signer public key (hex). */
  readonly signer: string;
  readonly domain: string;
  readonly packType: PackType;
  readonly entry: BlobEntry;
  /** Set by the judge: true once the pack was read and agrees; false if it does not. */
  ok?: boolean;
}

/** A claim that turned out false, and why. */
export interface FalseClaim {
  readonly claim: IndexClaim;
  readonly packId: string;
  readonly reason: string;
}

/**
 * Every entry of every index object that opens (whatever its signer: the
 * point is to find the false ones), grouped by the pack it names.
 */
export async function loadClaims(repository: Repository, signal?: AbortSignal): Promise<Map<string, IndexClaim[]>> {
  const claims = new Map<string, IndexClaim[]>();
  for await (const object of repository.backend.list('index/', { signal })) {
    let opened;
    try {
      opened = openIndex(idOfName(object.name), await repository.backend.load(object.name, { signal }), repository.keyring.domains);
    } catch {
      continue; // reported by loadIndex
    }
    const signer = opened.signerPublicKey.toString('hex');
    for (const pack of opened.payload.packs) {
      // Packs an owner-signed tombstone lists were collected by prune on purpose: entries for them are void, not false.
      if (repository.tombstonedPacks.has(pack.id)) continue;
      const list = claims.get(pack.id) ?? [];
      for (const entry of pack.entries) list.push({ index: object.name, signer, domain: opened.domain.id, packType: pack.type, entry });
      claims.set(pack.id, list);
    }
  }
  return claims;
}

const FIELDS = ['type', 'compression', 'offset', 'sealedLength', 'storedLength', 'rawLength', 'counter'] as const;

/**
 * Judges the claims on one pack. `verified` holds the trailer entries of
 * the blobs that opened and matched their ids, or is 'missing' when the
 * pack is not in storage, or 'unreadable' when it failed as a whole.
 */
export function judgeClaims(
  packId: string, claims: readonly IndexClaim[], verified: ReadonlyMap<string, BlobEntry> | 'missing' | 'unreadable',
  listed?: ReadonlySet<string>,
): FalseClaim[] {
  const out: FalseClaim[] = [];
  const pack = `pack ${shortId(packId)}`;
  for (const claim of claims) {
    let reason: string | undefined;
    if (verified === 'missing') reason = `${pack} is missing from storage`;
    else if (verified === 'unreadable') reason = `${pack} cannot be read or authenticated`;
    else {
      const actual = verified.get(claim.entry.id);
      if (!actual) {
        reason = listed?.has(claim.entry.id) ? `its copy in ${pack} fails to verify` : `${pack} does not hold it`;
      } else {
        const differs = FIELDS.filter((f) => actual[f] !== claim.entry[f]);
        if (differs.length > 0) reason = `${pack}'s trailer disagrees (${differs.join(', ')})`;
      }
    }
    claim.ok = reason === undefined;
    if (reason) out.push({ claim, packId, reason });
  }
  return out;
}

/** Blob ids of false claims that no true claim backs: no verified, indexed copy exists. */
export function unbackedBlobs(claims: ReadonlyMap<string, readonly IndexClaim[]>, falseClaims: readonly FalseClaim[]): Set<string> {
  const poisoned = new Set(falseClaims.map((f) => f.claim.entry.id as string));
  const backed = new Set<string>();
  for (const list of claims.values()) {
    for (const claim of list) if (claim.ok === true && poisoned.has(claim.entry.id)) backed.add(claim.entry.id);
  }
  return new Set([...poisoned].filter((id) => !backed.has(id)));
}
