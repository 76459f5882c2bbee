/**
 * The `config` object (docs/format.md "Configuration"): plaintext JSON signed
 * by the owner key. It is trusted only if the signature verifies with the
 * owner key pinned in the user's key file, and if it names the pinned
 * repository id and read key: storage cannot substitute its own keys.
 */
import { signBody, verifyBody } from '../crypto/index.js';
import { IntegrityError } from '../errors.js';
import {
  decodeConfigJson, decodeHeader, decodeSigned, encodeConfigJson, encodeHeader, encodeSigned, HEADER_LENGTH,
  ObjectType, SignatureLabel, type RepositoryConfig,
} from '../format/index.js';

export function encodeConfigObject(config: RepositoryConfig, ownerPrivateKey: Buffer): Buffer {
  const json = encodeConfigJson(config);
  const signature = signBody(ownerPrivateKey, SignatureLabel.config, json);
  return Buffer.concat([encodeHeader(ObjectType.config), encodeSigned(json, config.ownerPublicKey, signature)]);
}

export interface PinnedRoots {
  readonly repositoryId: Buffer;
  readonly readPublicKey: Buffer;
  readonly ownerPublicKey: Buffer;
}

/** Decodes and authenticates the configuration against the pinned trust roots. */
export function decodeConfigObject(bytes: Buffer, pinned: PinnedRoots): RepositoryConfig {
  decodeHeader(bytes, ObjectType.config);
  const signed = decodeSigned(bytes.subarray(HEADER_LENGTH));
  if (!signed.publicKey.equals(pinned.ownerPublicKey)
    || !verifyBody(pinned.ownerPublicKey, SignatureLabel.config, signed.body, signed.signature)) {
    throw new IntegrityError('config: not signed by the owner key pinned in the key file');
  }
  const config = decodeConfigJson(signed.body);
  if (config.repository !== pinned.repositoryId.toString('hex')
    || !config.readPublicKey.equals(pinned.readPublicKey) || !config.ownerPublicKey.equals(pinned.ownerPublicKey)) {
    throw new IntegrityError('config: does not match the repository pinned in the key file');
  }
  return config;
}
