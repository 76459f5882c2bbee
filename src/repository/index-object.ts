/**
 * Index objects (docs/format.md "Index objects"): a signed payload mapping
 * blob ids to packs, sealed under a key derived from the domain's index key
 * and a random salt. Any holder of the domain's writer root can read them.
 */
import { counterNonce, hkdf, LABELS, open, randomBytes, seal, sha256, signBody, verifyBody } from '../crypto/index.js';
import { IntegrityError } from '../errors.js';
import {
  decodeIndexPayload, decodePadded, decodeSigned, encodeIndexPayload, encodePadded, encodeSealedObject, encodeSigned,
  ObjectType, shortId, SignatureLabel, splitSealedObject, type IndexPayload,
} from '../format/index.js';
import type { Domain, Signer } from './keyring.js';
import { verifyObjectName } from './pack-reader.js';

export interface OpenedIndex {
  readonly payload: IndexPayload;
  readonly signerPublicKey: Buffer;
  readonly domain: Domain;
}

export function sealIndex(payload: IndexPayload, domain: Domain, signer: Signer): { id: string; bytes: Buffer } {
  const body = encodeIndexPayload(payload);
  const signature = signBody(signer.privateKey, SignatureLabel.index, body);
  const salt = randomBytes(32);
  const key = hkdf(domain.keys.indexKey, salt, LABELS.index);
  const header = encodeSealedObject(ObjectType.index, salt, Buffer.alloc(0));
  const sealed = seal(key, counterNonce(0), header, encodePadded(encodeSigned(body, signer.publicKey, signature)));
  const bytes = Buffer.concat([header, sealed]);
  return { id: sha256(bytes).toString('hex'), bytes };
}

/**
 * Opens an index object with whichever domain's index key fits. Throws
 * IntegrityError if the name, the tag or the signature does not verify.
 */
export function openIndex(id: string, bytes: Buffer, domains: readonly Domain[]): OpenedIndex {
  verifyObjectName('index', id, bytes);
  const parts = splitSealedObject(bytes, ObjectType.index);
  const aad = bytes.subarray(0, parts.header.length + parts.prefix.length);
  let lastError: unknown;
  for (const domain of domains) {
    const key = hkdf(domain.keys.indexKey, parts.prefix, LABELS.index);
    let plain: Buffer;
    try {
      plain = open(key, counterNonce(0), aad, parts.sealed, `index ${shortId(id)}`);
    } catch (error) {
      lastError = error;
      continue;
    }
    const signed = decodeSigned(decodePadded(plain));
    if (!verifyBody(signed.publicKey, SignatureLabel.index, signed.body, signed.signature)) {
      throw new IntegrityError(`index ${shortId(id)}: signature does not verify`);
    }
    return { payload: decodeIndexPayload(signed.body), signerPublicKey: Buffer.from(signed.publicKey), domain };
  }
  throw lastError instanceof IntegrityError ? lastError : new IntegrityError(`index ${shortId(id)}: no key opens it`);
}
