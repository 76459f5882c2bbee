/**
 * Snapshots and signer sets: JSON signed by its writer, then sealed to the
 * read key (docs/format.md "Snapshots and signer sets"). Writers can create
 * them; only holders of the read private key can open them, and only a
 * trusted signature makes their content count.
 */
import { counterNonce, LABELS, open, openingKeys, seal, sealingKeys, sha256, signBody, verifyBody } from '../crypto/index.js';
import {
  decodePadded, decodeSigned, encodePadded, encodeSealedObject, encodeSigned, ObjectType, shortId,
  SignatureLabel, splitSealedObject,
} from '../format/index.js';
import { verifyObjectName } from './pack-reader.js';

export type DocumentKind = 'snapshot' | 'signers' | 'forgotten';

const KINDS = {
  snapshot: { type: ObjectType.snapshot, info: LABELS.snapshot, label: SignatureLabel.snapshot },
  signers: { type: ObjectType.signers, info: LABELS.signers, label: SignatureLabel.signers },
  forgotten: { type: ObjectType.forgotten, info: LABELS.forgotten, label: SignatureLabel.forgotten },
} as const;

export interface SealedDocument {
  readonly id: string;
  readonly bytes: Buffer;
}

export interface OpenedDocument {
  readonly json: Buffer;
  readonly signerPublicKey: Buffer;
  /** True if the embedded signature verifies with the embedded key (whether that key is trusted is the caller's question). */
  readonly signatureValid: boolean;
}

export function sealDocument(
  kind: DocumentKind, json: Buffer, signer: { publicKey: Buffer; privateKey: Buffer }, readPublicKey: Buffer,
): SealedDocument {
  const { type, info, label } = KINDS[kind];
  const signature = signBody(signer.privateKey, label, json);
  const { ephemeralPublic, keys } = sealingKeys(readPublicKey, [info]);
  const header = encodeSealedObject(type, ephemeralPublic, Buffer.alloc(0));
  const sealed = seal(keys[0]!, counterNonce(0), header, encodePadded(encodeSigned(json, signer.publicKey, signature)));
  const bytes = Buffer.concat([header, sealed]);
  return { id: sha256(bytes).toString('hex'), bytes };
}

export function openDocument(
  kind: DocumentKind, id: string, bytes: Buffer, readPrivateKey: Buffer, readPublicKey: Buffer,
): OpenedDocument {
  const { type, info, label } = KINDS[kind];
  verifyObjectName(kind, id, bytes);
  const parts = splitSealedObject(bytes, type);
  const [key] = openingKeys(readPrivateKey, readPublicKey, parts.prefix, [info]);
  const aad = bytes.subarray(0, parts.header.length + parts.prefix.length);
  const signed = decodeSigned(decodePadded(open(key!, counterNonce(0), aad, parts.sealed, `${kind} ${shortId(id)}`)));
  return {
    json: signed.body,
    signerPublicKey: signed.publicKey,
    signatureValid: verifyBody(signed.publicKey, label, signed.body, signed.signature),
  };
}
