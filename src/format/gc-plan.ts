/**
 * The body of a gc plan (docs/format.md "Garbage collection (prune)"):
 *
 *   u64(windowMs) || u32(n) || n x (packId(32) || u8(packType)) || u32(k) || k x indexId(32)
 *
 * The object is header(0x07) || signed("coffer/v1/sig/plan", body, ownerPub, sig);
 * signing is the caller's. A plan's time is the storage's modification time
 * of the object, not a field.
 */
import { Buffer } from 'node:buffer';
import { FormatError } from '../errors.js';
import { ByteReader } from './byte-reader.js';
import { ObjectType } from './header.js';
import { idToBytes, isHexId, shortId, type IndexId, type PackId } from './ids.js';
import { packObjectType, type PackType } from './pack-entries.js';

/** The smallest safety window a plan may carry: one hour. Writers rely on it (docs/format.md "Writers"). */
export const MIN_GC_WINDOW_MS = 3_600_000;

/** A pack a plan proposes to delete. */
export interface GcCandidate {
  readonly id: PackId;
  readonly type: PackType;
}

export interface GcPlan {
  /** Milliseconds of storage time that must pass after the plan's time before it is swept. */
  readonly windowMs: number;
  readonly candidates: readonly GcCandidate[];
  /** Index objects that existed when the plan was made. */
  readonly knownIndexes: readonly IndexId[];
}

export interface GcPlanLimits {
  /** The smallest window accepted; MIN_GC_WINDOW_MS except in tests. */
  readonly minWindowMs?: number;
}

const CANDIDATE_LENGTH = 33;

export function encodeGcPlanBody(plan: GcPlan, limits: GcPlanLimits = {}): Buffer {
  checkWindow(plan.windowMs, limits);
  checkUnique(plan.candidates.map((c) => c.id), 'candidate pack');
  checkUnique(plan.knownIndexes, 'known index');
  const out = Buffer.alloc(8 + 4 + plan.candidates.length * CANDIDATE_LENGTH + 4 + plan.knownIndexes.length * 32);
  out.writeBigUInt64LE(BigInt(plan.windowMs), 0);
  let pos = out.writeUInt32LE(plan.candidates.length, 8);
  for (const candidate of plan.candidates) {
    pos += idToBytes(candidate.id).copy(out, pos);
    out[pos++] = packObjectType(candidate.type);
  }
  pos = out.writeUInt32LE(plan.knownIndexes.length, pos);
  for (const id of plan.knownIndexes) pos += idToBytes(id).copy(out, pos);
  return out;
}

export function decodeGcPlanBody(bytes: Uint8Array, limits: GcPlanLimits = {}): GcPlan {
  const reader = new ByteReader(bytes, 'gc plan');
  reader.need(8, 'window');
  const window = reader.bytes.readBigUInt64LE(reader.pos);
  reader.pos += 8;
  if (window > BigInt(Number.MAX_SAFE_INTEGER)) throw new FormatError(`gc plan: window ${window} ms is out of range`);
  const windowMs = Number(window);
  checkWindow(windowMs, limits);
  const candidateCount = reader.count('candidate', CANDIDATE_LENGTH);
  const candidates = new Array<GcCandidate>(candidateCount);
  for (let i = 0; i < candidateCount; i++) {
    const id = reader.hex32('candidate pack id') as PackId;
    const typeByte = reader.u8('candidate pack type');
    let type: PackType;
    if (typeByte === ObjectType.dataPack) type = 'data';
    else if (typeByte === ObjectType.treePack) type = 'tree';
    else throw new FormatError(`gc plan: pack ${shortId(id)}: unknown pack type ${typeByte}`);
    candidates[i] = { id, type };
  }
  checkUnique(candidates.map((c) => c.id), 'candidate pack');
  const knownCount = reader.count('known index', 32);
  const knownIndexes = new Array<IndexId>(knownCount);
  for (let i = 0; i < knownCount; i++) knownIndexes[i] = reader.hex32('known index id') as IndexId;
  checkUnique(knownIndexes, 'known index');
  reader.end();
  return { windowMs, candidates, knownIndexes };
}

function checkWindow(windowMs: number, limits: GcPlanLimits): void {
  const min = limits.minWindowMs ?? MIN_GC_WINDOW_MS;
  if (!Number.isSafeInteger(windowMs) || windowMs < min) {
    throw new FormatError(`gc plan: window ${String(windowMs)} ms is below the minimum of ${min} ms`);
  }
}

/** Throws a FormatError for an invalid or repeated id. */
export function checkUnique(ids: readonly string[], what: string): void {
  const seen = new Set<string>();
  for (const id of ids) {
    if (!isHexId(id)) throw new FormatError(`invalid ${what} id ${JSON.stringify(shortId(String(id)))}`);
    if (seen.has(id)) throw new FormatError(`${what} ${shortId(id)} is listed twice`);
    seen.add(id);
  }
}
