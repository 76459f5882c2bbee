/**
 * Object names as the backend contract defines them (backend.ts): relative
 * paths of [a-z0-9_-] segments joined by '/'. Every backend checks names here,
 * so a name one backend accepts is accepted by all of them (copying between
 * backends never meets a name the target refuses), and the local backend can
 * never be steered outside its root.
 */
import { BackendError } from '../errors.js';

const NAME = /^[a-z0-9_-]+(?:\/[a-z0-9_-]+)*$/;
// A prefix is a name cut anywhere: whole segments, then possibly part of one.
const PREFIX = /^(?:[a-z0-9_-]+\/)*[a-z0-9_-]*$/;
const SEGMENT = /^[a-z0-9_-]+$/;
const LONG_HEX = /[0-9a-f]{64}/g;

/** Throws a permanent BackendError unless `name` is a valid object name. */
export function checkName(operation: string, name: string): void {
  if (!NAME.test(name)) {
    throw new BackendError(`${operation} ${JSON.stringify(shortName(name))}: invalid object name`, {
      transient: false,
    });
  }
}

/** Whether `name` is a valid object name; for listings, which skip foreign objects rather than fail. */
export function isName(name: string): boolean {
  return NAME.test(name);
}

/** Throws a permanent BackendError unless `prefix` is '' or the start of a valid name. */
export function checkPrefix(operation: string, prefix: string): void {
  if (!PREFIX.test(prefix)) {
    throw new BackendError(`${operation} ${JSON.stringify(shortName(prefix))}: invalid prefix`, {
      transient: false,
    });
  }
}

/** Whether one path segment (a file or directory name) may appear in an object name. */
export function isNameSegment(segment: string): boolean {
  return SEGMENT.test(segment);
}

/** `name` with every 64-hex id cut to its first 8 characters, for messages. */
export function shortName(name: string): string {
  return name.replace(LONG_HEX, (id) => id.slice(0, 8));
}
