/**
 * Configuration JSON (docs/format.md "Configuration"). The config object is
 * header(0x01) || signed("coffer/v1/sig/config", configJSON, ownerPub, sig);
 * this module handles the JSON only.
 */
import type { Buffer } from 'node:buffer';
import { FormatError } from '../errors.js';
import type { RepositoryId } from './ids.js';
import { encodeJson, isPowerOfTwo, JsonFields, parseJson } from './json-fields.js';
import { formatTimeNs } from './time.js';

/** Feature flags this coffer implements. Version 1 defines none. */
export const SUPPORTED_FEATURES: readonly string[] = [];

/** Bounds of packSize. */
export const MIN_PACK_SIZE = 1024 * 1024;
export const MAX_PACK_SIZE = 256 * 1024 * 1024;
/**
 * Upper bound of maxBlobSize. The spec sets none; this one keeps a pack of a
 * single blob, its offsets and lengths within the u32 fields of its entries.
 */
export const MAX_BLOB_SIZE_LIMIT = 2 ** 31;

/** A domain's chunker (docs/format.md "Chunking"). */
export interface ChunkerParams {
  readonly algorithm: 'fastcdc-v1';
  readonly min: number;
  readonly avg: number;
  readonly max: number;
}

/** A dedup domain as the configuration describes it (its writer root is in key files only). */
export interface DomainConfig {
  readonly id: string;
  readonly chunker: ChunkerParams;
}

/** The repository configuration, field for field as its JSON. */
export interface RepositoryConfig {
  readonly format: 1;
  readonly repository: RepositoryId;
  readonly created: bigint;
  /** Required feature flags; decoding refuses any this coffer does not implement. */
  readonly features: readonly string[];
  /** X25519 public read key. */
  readonly readPublicKey: Buffer;
  /** Ed25519 public owner key. */
  readonly ownerPublicKey: Buffer;
  readonly packSize: number;
  readonly maxBlobSize: number;
  readonly compression: 'zstd';
  readonly domains: readonly DomainConfig[];
}

const CONFIG_KEYS = [
  'format', 'repository', 'created', 'features', 'readPublicKey', 'ownerPublicKey', 'packSize', 'maxBlobSize',
  'compression', 'domains',
] as const;

/** The configuration's JSON, keys in the spec's order; throws a FormatError for one the decoder would refuse. */
export function encodeConfigJson(config: RepositoryConfig): Buffer {
  const json = {
    format: config.format,
    repository: config.repository,
    created: formatTimeNs(config.created),
    features: config.features,
    readPublicKey: config.readPublicKey.toString('hex'),
    ownerPublicKey: config.ownerPublicKey.toString('hex'),
    packSize: config.packSize,
    maxBlobSize: config.maxBlobSize,
    compression: config.compression,
    domains: config.domains.map((d) => ({
      id: d.id,
      chunker: { algorithm: d.chunker.algorithm, min: d.chunker.min, avg: d.chunker.avg, max: d.chunker.max },
    })),
  };
  configFromJson(json);
  return encodeJson(json);
}

/** Decodes and validates configuration JSON. */
export function decodeConfigJson(bytes: Uint8Array): RepositoryConfig {
  return configFromJson(parseJson(bytes, 'config'));
}

function configFromJson(value: unknown): RepositoryConfig {
  const f = JsonFields.of(value, 'config', CONFIG_KEYS);
  const format = f.integer('format', 0, Number.MAX_SAFE_INTEGER);
  if (format !== 1) throw new FormatError(`config: unknown format ${format} (this coffer reads format 1)`);
  const features = f.strings('features');
  for (const feature of features) {
    if (!SUPPORTED_FEATURES.includes(feature)) {
      throw new FormatError(`config: the repository requires feature ${JSON.stringify(feature)}, which this coffer does not implement`);
    }
  }
  const maxBlobSize = f.integer('maxBlobSize', 1, MAX_BLOB_SIZE_LIMIT);
  const ids = new Set<string>();
  const domains = f.objects('domains', ['id', 'chunker']).map((d): DomainConfig => {
    const id = d.nonEmptyString('id');
    if (ids.has(id)) d.fail('id', `${JSON.stringify(id)} is listed twice`);
    ids.add(id);
    const chunker = readChunker(d.object('chunker', ['algorithm', 'min', 'avg', 'max']));
    if (chunker.max > maxBlobSize) d.fail('chunker.max', `${chunker.max} exceeds maxBlobSize ${maxBlobSize}`);
    return { id, chunker };
  });
  if (domains.length === 0) f.fail('domains', 'must not be empty');
  return {
    format,
    repository: f.id('repository', 'repository'),
    created: f.time('created'),
    features,
    readPublicKey: f.hex32('readPublicKey'),
    ownerPublicKey: f.hex32('ownerPublicKey'),
    packSize: f.integer('packSize', MIN_PACK_SIZE, MAX_PACK_SIZE),
    maxBlobSize,
    compression: f.oneOf('compression', ['zstd'] as const),
    domains,
  };
}

/**
 * min < avg < max, all powers of two; also 4 <= avg <= 2^30, as the masks
 * need bits - 2 >= 0 and bits + 2 <= 32 for bits = log2(avg).
 */
function readChunker(c: JsonFields): ChunkerParams {
  const algorithm = c.oneOf('algorithm', ['fastcdc-v1'] as const);
  const [min, avg, max] = (['min', 'avg', 'max'] as const).map((key) => {
    const value = c.integer(key, 1, MAX_BLOB_SIZE_LIMIT);
    if (!isPowerOfTwo(value)) c.fail(key, 'must be a power of two');
    return value;
  }) as [number, number, number];
  if (!(min < avg && avg < max)) c.fail('min', `< avg < max must hold (${min}, ${avg}, ${max})`);
  if (avg < 4 || avg > 2 ** 30) c.fail('avg', 'must be between 4 and 2^30');
  return { algorithm, min, avg, max };
}
