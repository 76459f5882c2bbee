/**
 * Ranged loads, shared by every backend so they all validate and clamp the
 * same way: a range reaching past the end yields the bytes that exist
 * (backend.ts, `load`).
 */
import { BackendError } from '../errors.js';
import { shortName } from './object-name.js';

/** A byte range as `load` takes it. */
export interface ByteRange {
  readonly offset: number;
  readonly length: number;
}

/** Half-open byte positions [start, end) inside an object. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

/** Throws a permanent BackendError for a negative or non-integer range, before any I/O. */
export function checkRange(name: string, range: ByteRange): void {
  const { offset, length } = range;
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
    throw new BackendError(`load ${shortName(name)}: invalid range ${offset}+${length}`, { transient: false });
  }
}

/** The part of an object of `size` bytes that a checked `range` covers, possibly empty. */
export function clampRange(range: ByteRange, size: number): Span {
  const start = Math.min(range.offset, size);
  return { start, end: Math.min(size, start + range.length) };
}
