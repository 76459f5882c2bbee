/** coffer's cryptography: the only code that uses ciphers, MACs, KDFs and signatures. */
export { seal, sealInto, open, counterNonce, TAG_LENGTH } from './aead.js';
export { hkdf, deriveDomainKeys, deriveGearTable, LABELS, type DomainKeys } from './derive.js';
export { sha256, blobIdOf } from './hash.js';
export { sealingKeys, openingKeys, type SealingKeys } from './ecies.js';
export { signBody, verifyBody } from './sign.js';
export { deriveWrappingKey, DEFAULT_SCRYPT, type ScryptParams } from './kdf.js';
export { generateRawKeyPair, publicFromPrivate, type RawKeyPair } from './keys.js';
export { randomBytes } from 'node:crypto';
export { ageDecrypt, ageEncrypt, checkAgeRecipient, parseAgeIdentities, type AgeIdentities } from './age.js';
export {
  inspectOpenPgpMessage, openpgpDecrypt, openpgpEncrypt, readOpenPgpIdentity, readOpenPgpRecipients,
  type OpenPgpIdentity, type OpenPgpRecipients,
} from './openpgp.js';
