/**
 * Where else a blob is: the locations index objects give besides the one
 * the in-memory index kept. A reader needs them only when the kept one is
 * false (a lying writer's entry: docs/security.md, index poisoning) or its
 * pack is gone, so they are gathered on demand, not held all the time.
 */
import type { Backend } from '../backend/backend.js';
import type { BlobIndex, BlobLocation } from './blob-index.js';
import { openIndex } from './index-object.js';
import type { Keyring } from './keyring.js';
import { idOfName } from './layout.js';
import { indexTrust, type KnownSigner } from './signer-trust.js';

/** Blob id (hex) -> locations other than the kept one, from every index object the keyring would load. */
export async function alternateLocations(
  backend: Backend, keyring: Keyring, signers: ReadonlyMap<string, KnownSigner> | undefined, index: BlobIndex, signal?: AbortSignal,
): Promise<Map<string, BlobLocation[]>> {
  const alternates = new Map<string, BlobLocation[]>();
  for await (const object of backend.list('index/', { signal })) {
    let opened;
    try {
      opened = openIndex(idOfName(object.name), await backend.load(object.name, { signal }), keyring.domains);
    } catch {
      continue; // a damaged index object offers nothing
    }
    if (indexTrust(opened.signerPublicKey.toString('hex'), keyring, signers) === undefined) continue;
    for (const pack of opened.payload.packs) {
      for (const entry of pack.entries) {
        if (index.lookup(Buffer.from(entry.id, 'hex'))?.packId === pack.id) continue;
        const list = alternates.get(entry.id) ?? [];
        list.push({ ...entry, packId: pack.id });
        alternates.set(entry.id, list);
      }
    }
  }
  return alternates;
}
