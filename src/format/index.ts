/**
 * coffer's stored structures (docs/format.md, version 1): pure, validating
 * encode/decode of every object, with no I/O and no cryptography. Decoders
 * throw FormatError for bytes that do not follow the spec.
 */
export {
  bytesToId, idToBytes, ID_LENGTH, isHexId, parseHexId, shortId,
  type BlobId, type IdKind, type IdKinds, type IndexId, type KeyId, type PackId, type RepositoryId,
  type SignerSetId, type SnapshotId,
} from './ids.js';
export { decodePadded, encodePadded, padme } from './padme.js';
export { decodeHeader, encodeHeader, FORMAT_VERSION, HEADER_LENGTH, ObjectType, objectTypeName } from './header.js';
export {
  decodeSigned, encodeSigned, PUBLIC_KEY_LENGTH, SIGNATURE_LENGTH, SignatureLabel, signatureMessage, type Signed,
} from './signed.js';
export {
  BlobType, Compression, decodeEntry, encodeEntry, ENTRY_LENGTH, SEAL_TAG_LENGTH, type BlobEntry,
} from './entry.js';
export {
  PACK_PREFIX_LENGTH, packBlobType, packObjectType, validatePackEntries, type PackLimits, type PackType,
} from './pack-entries.js';
export { decodeTrailerBody, encodeTrailerBody } from './trailer.js';
export { encodePackEnd, encodePackStart, splitPack, type PackParts } from './pack-layout.js';
export {
  encodeSealedObject, SEALED_OBJECT_PREFIX_LENGTH, splitSealedObject, type SealedObjectParts, type SealedObjectType,
} from './sealed-object.js';
export { decodeIndexPayload, encodeIndexPayload, type IndexPack, type IndexPayload } from './index-payload.js';
export { formatTimeNs, parseTimeNs } from './time.js';
export { MAX_CONTENT_IDS_PER_NODE, NODE_TYPES, type NodeType, type TreeNode } from './tree-node.js';
export {
  decodeContentList, decodeTree, encodeContentList, encodeTree, MAX_TREE_PAGE_BYTES, paginateTree,
  type ContentList, type Tree,
} from './tree.js';
export { decodeSnapshotJson, encodeSnapshotJson, type Snapshot, type SnapshotOrigin, type SnapshotSummary } from './snapshot.js';
export {
  decodeConfigJson, encodeConfigJson, MAX_BLOB_SIZE_LIMIT, MAX_PACK_SIZE, MIN_PACK_SIZE, SUPPORTED_FEATURES,
  type ChunkerParams, type DomainConfig, type RepositoryConfig,
} from './config.js';
export {
  decodeSignerSetJson, encodeSignerSetJson, KEY_ROLES, type KeyRole, type SignerSet, type SignerSetEntry,
} from './signer-set.js';
export {
  decodeKeyFile, decodeKeySecrets, encodeKeyFile, encodeKeySecrets, KEY_FILE_FORMAT, SCRYPT_MAX_COST, SCRYPT_MAX_N,
  SCRYPT_MIN_N, SCRYPT_READER_MIN_N, validateScryptParams,
  type KeyFile, type KeyFileKdf, type KeySecrets, type ScryptParams,
} from './key-file.js';
export {
  canonicalRecipient, decodeAnyKeyFile, encodeAnyKeyFile, encodeWrappedKeyFile, keyFileWrapping, MAX_RECIPIENTS,
  MAX_WRAPPED_MESSAGE_LENGTH, PUBLIC_KEY_WRAPPINGS, type AnyKeyFile, type KeyWrapping, type PublicKeyWrapping,
  type WrappedKeyFile,
} from './wrapped-key-file.js';
export { decodeForgetRecordJson, encodeForgetRecordJson, type ForgetRecord, type ForgottenSnapshot } from './forget-record.js';
export { BASE32_ALPHABET, canonicalBase32Symbol, decodeBase32, encodeBase32 } from './base32.js';
export {
  decodeExportSecrets, decodeKeyExportPayload, encodeExportSecrets, encodeKeyExportHead, encodeKeyExportPayload,
  KEY_EXPORT_FINGERPRINT_LENGTH, KEY_EXPORT_VERSION, type ExportSecrets, type KeyExportPayload, type KeyExportProtection,
} from './key-export.js';
export {
  checkUnique, decodeGcPlanBody, encodeGcPlanBody, MIN_GC_WINDOW_MS, type GcCandidate, type GcPlan, type GcPlanLimits,
} from './gc-plan.js';
export { decodeTombstoneBody, encodeTombstoneBody } from './tombstone.js';
export { decodeSignedObject, encodeSignedObject } from './signed-object.js';
