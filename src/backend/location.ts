/**
 * Repository locations (docs/backends.md, "Locations"): a path, `local:PATH`,
 * `s3://bucket[/prefix]` (Amazon S3), `s3:https://host[:port]/bucket[/prefix]`
 * (any S3-compatible endpoint, path style) and `azure:container[/prefix]`.
 * Parsing is pure: credentials and options come from elsewhere, and nothing
 * here touches the network.
 */
import { UsageError } from '../errors.js';

export type StorageLocation =
  | { readonly kind: 'local'; readonly path: string }
  | {
    readonly kind: 's3';
    /** The endpoint of an S3-compatible store, or undefined for Amazon S3 itself. */
    readonly endpoint: URL | undefined;
    readonly bucket: string;
    /** Key prefix without a trailing '/', or '' for the bucket's root. */
    readonly prefix: string;
  }
  | { readonly kind: 'azure'; readonly container: string; readonly prefix: string };

const SCHEME = /^([a-z][a-z0-9+]*):(?!\\)/;
// Amazon's rules for bucket names (DNS-compatible); other stores get the looser SDK-safe set.
const AWS_BUCKET = /^(?!.*\.\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const ANY_BUCKET = /^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/;
const AZURE_CONTAINER = /^(?!.*--)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;
const PREFIX_SEGMENT = /^[A-Za-z0-9._-]+$/;

const S3_FORMS = 's3://bucket[/prefix] for Amazon S3, or s3:https://host[:port]/bucket[/prefix] for another S3-compatible store';

/** Parses a location, or throws UsageError naming it and what is wrong. */
export function parseLocation(location: string): StorageLocation {
  const scheme = SCHEME.exec(location)?.[1];
  // No scheme, or a single letter: a path (or a Windows drive letter).
  if (scheme === undefined || scheme.length === 1) return { kind: 'local', path: location };
  const rest = location.slice(scheme.length + 1);
  if (scheme === 'local') return { kind: 'local', path: rest };
  if (scheme === 's3') return parseS3(location, rest);
  if (scheme === 'azure') return parseAzure(location, rest);
  throw new UsageError(`repository ${location}: unknown scheme "${scheme}:" (use a path, local:PATH, s3: or azure:)`);
}

/** A location as shown to people: no credentials can be in it, since parsing refuses them. */
export function describeLocation(location: StorageLocation): string {
  switch (location.kind) {
    case 'local':
      return location.path;
    case 's3': {
      const tail = `${location.bucket}${location.prefix ? `/${location.prefix}` : ''}`;
      return location.endpoint ? `s3:${location.endpoint.origin}/${tail}` : `s3://${tail}`;
    }
    case 'azure':
      return `azure:${location.container}${location.prefix ? `/${location.prefix}` : ''}`;
  }
}

function parseS3(location: string, rest: string): StorageLocation {
  if (rest.startsWith('//')) {
    const [bucket = '', ...path] = rest.slice(2).split('/');
    if (!AWS_BUCKET.test(bucket)) {
      throw new UsageError(`repository ${location}: "${bucket}" is not a valid S3 bucket name (3-63 characters: a-z, 0-9, '.', '-')`);
    }
    return { kind: 's3', endpoint: undefined, bucket, prefix: parsePrefix(location, path) };
  }
  if (!/^https?:\/\//i.test(rest)) throw new UsageError(`repository ${location}: expected ${S3_FORMS}`);
  // The URL parser would resolve these silently, pointing somewhere the user did not write.
  const dots = /\/(\.\.?)(?:\/|$)/.exec(rest);
  if (dots) throw new UsageError(`repository ${location}: bad prefix segment "${dots[1]}" (no '.' or '..' segments)`);
  let url: URL;
  try {
    url = new URL(rest);
  } catch (cause) {
    throw new UsageError(`repository ${location}: the endpoint is not a valid URL`, { cause });
  }
  if (url.username !== '' || url.password !== '') {
    throw new UsageError(`repository ${location}: credentials do not belong in the location; use AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY or a profile`);
  }
  if (url.search !== '' || url.hash !== '') throw new UsageError(`repository ${location}: the endpoint URL must not have a query or fragment`);
  const [bucket = '', ...path] = url.pathname.slice(1).split('/');
  if (bucket === '') throw new UsageError(`repository ${location}: no bucket; expected ${S3_FORMS}`);
  if (!ANY_BUCKET.test(bucket)) throw new UsageError(`repository ${location}: "${bucket}" is not a valid bucket name`);
  return { kind: 's3', endpoint: new URL(url.origin), bucket, prefix: parsePrefix(location, path) };
}

function parseAzure(location: string, rest: string): StorageLocation {
  if (rest.startsWith('//')) throw new UsageError(`repository ${location}: expected azure:container[/prefix] (the account comes from AZURE_STORAGE_ACCOUNT or a connection string)`);
  const [container = '', ...path] = rest.split('/');
  if (!AZURE_CONTAINER.test(container)) {
    throw new UsageError(`repository ${location}: "${container}" is not a valid Azure container name (3-63 characters: a-z, 0-9, single '-')`);
  }
  return { kind: 'azure', container, prefix: parsePrefix(location, path) };
}

/** Joins the path segments after the bucket or container; a trailing '/' is ignored. */
function parsePrefix(location: string, segments: readonly string[]): string {
  const parts = segments.at(-1) === '' ? segments.slice(0, -1) : segments;
  for (const part of parts) {
    if (!PREFIX_SEGMENT.test(part) || part === '.' || part === '..') {
      throw new UsageError(`repository ${location}: bad prefix segment "${part}" (use A-Z, a-z, 0-9, '.', '_', '-'; no empty, '.' or '..' segments)`);
    }
  }
  return parts.join('/');
}
