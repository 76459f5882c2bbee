/**
 * Gc plans, tombstones and clock probes (docs/format.md "Garbage collection
 * (prune)"): plaintext objects signed by the owner key, which every client
 * (write-only ones too) can read and verify with the pinned owner key.
 */
import { randomBytes, sha256, signBody, verifyBody } from '../crypto/index.js';
import { describe, FormatError, IntegrityError, NotFoundError } from '../errors.js';
import {
  decodeGcPlanBody, decodeSignedObject, decodeTombstoneBody, encodeGcPlanBody, encodeHeader, encodeSignedObject,
  encodeTombstoneBody, ObjectType, shortId, SignatureLabel, type GcPlan, type GcPlanLimits, type PackId,
} from '../format/index.js';
import type { Backend } from '../backend/backend.js';
import { clockProbeName, idOfName, planName, tombstoneName } from './layout.js';
import { verifyObjectName } from './pack-reader.js';
import type { RepositoryIssue } from './repository.js';

/** The owner key pair, to sign with. */
export interface OwnerKey {
  readonly publicKey: Buffer;
  readonly privateKey: Buffer;
}

export interface StoredObject {
  readonly id: string;
  readonly bytes: Buffer;
}

export function encodePlanObject(plan: GcPlan, owner: OwnerKey, limits: GcPlanLimits = {}): StoredObject {
  const body = encodeGcPlanBody(plan, limits);
  const bytes = encodeSignedObject(ObjectType.gcPlan, body, owner.publicKey, signBody(owner.privateKey, SignatureLabel.gcPlan, body));
  return { id: sha256(bytes).toString('hex'), bytes };
}

/** Decodes a plan stored as `id`; throws IntegrityError unless the owner signed it, FormatError if malformed. */
export function decodePlanObject(id: string, bytes: Buffer, ownerPublicKey: Buffer, limits: GcPlanLimits = {}): GcPlan {
  verifyObjectName('gc plan', id, bytes);
  const signed = decodeSignedObject(bytes, ObjectType.gcPlan);
  if (!signed.publicKey.equals(ownerPublicKey) || !verifyBody(ownerPublicKey, SignatureLabel.gcPlan, signed.body, signed.signature)) {
    throw new IntegrityError(`gc plan ${shortId(id)}: not signed by the owner key (signature does not verify)`);
  }
  return decodeGcPlanBody(signed.body, limits);
}

export function encodeTombstoneObject(packs: readonly PackId[], owner: OwnerKey): StoredObject {
  const body = encodeTombstoneBody(packs);
  const bytes = encodeSignedObject(ObjectType.tombstone, body, owner.publicKey, signBody(owner.privateKey, SignatureLabel.tombstone, body));
  return { id: sha256(bytes).toString('hex'), bytes };
}

export function decodeTombstoneObject(id: string, bytes: Buffer, ownerPublicKey: Buffer): PackId[] {
  verifyObjectName('tombstone', id, bytes);
  const signed = decodeSignedObject(bytes, ObjectType.tombstone);
  if (!signed.publicKey.equals(ownerPublicKey) || !verifyBody(ownerPublicKey, SignatureLabel.tombstone, signed.body, signed.signature)) {
    throw new IntegrityError(`tombstone ${shortId(id)}: not signed by the owner key (signature does not verify)`);
  }
  return decodeTombstoneBody(signed.body);
}

export interface LoadedPlan {
  readonly id: string;
  readonly plan: GcPlan;
  /** T(plan): the storage's modification time of the object (only when asked for). */
  readonly time?: Date;
}

export interface LoadedTombstone {
  readonly id: string;
  readonly packs: readonly PackId[];
}

/**
 * Every valid plan in storage. Plans that fail to verify are returned as
 * issues and otherwise ignored; a plan removed while listing is skipped.
 */
export async function loadPlans(
  backend: Backend, ownerPublicKey: Buffer, options: { withTimes?: boolean; limits?: GcPlanLimits; signal?: AbortSignal } = {},
): Promise<{ plans: LoadedPlan[]; issues: RepositoryIssue[] }> {
  const { signal } = options;
  const plans: LoadedPlan[] = [];
  const issues: RepositoryIssue[] = [];
  for await (const object of backend.list('plans/', { signal })) {
    const id = idOfName(object.name);
    try {
      const bytes = await backend.load(object.name, { signal });
      const plan = decodePlanObject(id, bytes, ownerPublicKey, options.limits);
      const time = options.withTimes ? (await backend.stat(object.name, { signal })).modified : undefined;
      plans.push({ id, plan, time });
    } catch (error) {
      if (error instanceof NotFoundError) continue; // swept while we listed
      if (signal?.aborted) throw error;
      if (!(error instanceof IntegrityError || error instanceof FormatError)) throw error;
      issues.push({ object: object.name, message: describe(error) });
    }
  }
  return { plans, issues };
}

/** Every valid tombstone in storage; invalid ones are issues and grant nothing. */
export async function loadTombstones(
  backend: Backend, ownerPublicKey: Buffer, signal?: AbortSignal,
): Promise<{ tombstones: LoadedTombstone[]; issues: RepositoryIssue[] }> {
  const tombstones: LoadedTombstone[] = [];
  const issues: RepositoryIssue[] = [];
  for await (const object of backend.list('tombstones/', { signal })) {
    const id = idOfName(object.name);
    try {
      tombstones.push({ id, packs: decodeTombstoneObject(id, await backend.load(object.name, { signal }), ownerPublicKey) });
    } catch (error) {
      if (error instanceof NotFoundError) continue; // merged into a newer one while we listed
      if (signal?.aborted) throw error;
      if (!(error instanceof IntegrityError || error instanceof FormatError)) throw error;
      issues.push({ object: object.name, message: describe(error) });
    }
  }
  return { tombstones, issues };
}

export async function savePlan(backend: Backend, plan: GcPlan, owner: OwnerKey, limits: GcPlanLimits, signal?: AbortSignal): Promise<LoadedPlan> {
  const object = encodePlanObject(plan, owner, limits);
  await backend.save(planName(object.id), object.bytes, { signal });
  const time = (await backend.stat(planName(object.id), { signal })).modified;
  return { id: object.id, plan, time };
}

export async function saveTombstone(backend: Backend, packs: readonly PackId[], owner: OwnerKey, signal?: AbortSignal): Promise<string> {
  const object = encodeTombstoneObject(packs, owner);
  await backend.save(tombstoneName(object.id), object.bytes, { signal });
  return object.id;
}

/**
 * Reads the storage's clock: saves a clock probe and returns its modification
 * time, with the probe's name so the caller can remove it when it may.
 */
export async function readStorageClock(backend: Backend, signal?: AbortSignal): Promise<{ now: Date; probe: string }> {
  const bytes = Buffer.concat([encodeHeader(ObjectType.clockProbe), randomBytes(32)]);
  const probe = clockProbeName(sha256(bytes).toString('hex'));
  await backend.save(probe, bytes, { signal });
  return { now: (await backend.stat(probe, { signal })).modified, probe };
}
