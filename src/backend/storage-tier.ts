/**
 * Which objects may sit in a cheaper, colder storage tier (`--s3-storage-class`,
 * `--azure-tier`): data packs only, recognised by their names
 * (docs/format.md, "Layout in storage"). Index objects, snapshots, keys,
 * signer sets, the config and tree packs stay in the default tier, so listing
 * snapshots, browsing trees and planning a restore never wait for a thaw.
 * Deciding by name keeps the Backend interface free of storage hints.
 */
export const DATA_PACK_PREFIX = 'data/';

/** True if `name` is a data pack, the only kind of object a cold tier applies to. */
export function isDataPack(name: string): boolean {
  return name.startsWith(DATA_PACK_PREFIX);
}
