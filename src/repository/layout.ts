/** Object names in storage (docs/format.md "Layout in storage"). */

export const CONFIG_NAME = 'config';

export type PackKind = 'data' | 'tree';

export const keyName = (id: string): string => `keys/${id}`;
export const signersName = (id: string): string => `signers/${id}`;
export const indexName = (id: string): string => `index/${id}`;
export const snapshotName = (id: string): string => `snapshots/${id}`;
export const forgottenName = (id: string): string => `forgotten/${id}`;
export const packName = (kind: PackKind, id: string): string => `${kind}/${id.slice(0, 2)}/${id}`;

/** The id at the end of an object name (`data/ab/abcd...` -> `abcd...`). */
export function idOfName(name: string): string {
  return name.slice(name.lastIndexOf('/') + 1);
}

// Garbage collection (docs/format.md "Garbage collection (prune)").
export const planName = (id: string): string => `plans/${id}`;
export const tombstoneName = (id: string): string => `tombstones/${id}`;
export const clockProbeName = (id: string): string => `clock/${id}`;
