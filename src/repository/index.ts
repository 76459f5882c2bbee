/** The repository: the encryption boundary between pipelines and storage. */
export { Repository, type SnapshotRecord, type RepositoryIssue } from './repository.js';
export { initRepository, openRepository, openRepositoryWithKeyFile, DEFAULT_CHUNKER, DEFAULT_PACK_SIZE, type InitOptions } from './init.js';
export { addKeyFile, listKeyFiles, unlock, sealKeyFile, openKeyFile, type KeyListing } from './key-files.js';
export { addKeyFileWith, keyringOf, openKeyFileWith, sealKeyFileWith, secretsOf } from './key-files.js';
export {
  ageUnwrapper, ageWrapper, describeWrapping, openpgpIdentityUnwrapper, openpgpKeyWrapper, passphraseUnwrapper,
  passphraseWrapper, shortRecipient, type KeyUnwrapper, type KeyWrapper, type WrappedSecrets,
} from './key-wrapping.js';
export { BlobWriter, type WriterStats } from './blob-writer.js';
export { BlobIndex, Trust, type BlobLocation } from './blob-index.js';
export { indexTrust, knownSigners, snapshotStatus, type KnownSigner, type SnapshotStatus } from './signer-trust.js';
export { PackJournal } from './pack-journal.js';
export { recoverJournaledPacks } from './recover.js';
export { OpenedPack, verifyObjectName } from './pack-reader.js';
export { openIndex, sealIndex } from './index-object.js';
export { requireOwnerKey, requireReadKey, writerDomain, type Keyring } from './keyring.js';
export { CONFIG_NAME, forgottenName, idOfName, indexName, keyName, packName, signersName, snapshotName } from './layout.js';
export { openDocument } from './sealed-document.js';
export { decodeConfigObject } from './config-object.js';
export { rebuildIndex, type RebuildIndexResult, type RebuildProblem } from './rebuild-index.js';
export { exportKey, keyExportFingerprint, keyringFromExport, readKeyExport, type ParsedKeyExport } from './key-export.js';
export { HighWater, type SignerHead } from './high-water.js';
export { authorizeSigner, describeSigner, findSigner, revokeSigner, writeOnlyKeyring } from './signers.js';
export { saveEndorsedIndex } from './endorse.js';
export { forgottenSnapshotOf, loadForgottenSnapshots, saveForgetRecord } from './forget-records.js';
export { GcSession, systemClock, type ClockReading, type GcSessionOptions, type GcSessionStats } from './gc-session.js';
export {
  decodePlanObject, decodeTombstoneObject, encodePlanObject, encodeTombstoneObject, loadPlans, loadTombstones,
  readStorageClock, savePlan, saveTombstone, type LoadedPlan, type LoadedTombstone, type OwnerKey,
} from './gc-objects.js';
export { readPackTrailer, TRAILER_WINDOW } from './pack-trailer.js';
export { planName, tombstoneName, clockProbeName } from './layout.js';
export { type OpenedIndex } from './index-object.js';
export { type DedupGuard } from './blob-writer.js';
