/**
 * The one place that builds a backend stack for a location
 * (docs/backends.md, "Layers"). From the storage outwards:
 *
 *   storage (local, S3, Azure; cloud ones created on first use)
 *   -> fault injection (tests only, when asked for)
 *   -> bandwidth limits (when asked for)
 *   -> concurrency limit
 *   -> retries
 *
 * Retries sit outermost so that a backoff holds no connection slot, and the
 * fault injector innermost so that everything above meets its faults as it
 * would meet a misbehaving service.
 */
import { resolve } from 'node:path';
import { UsageError } from '../errors.js';
import type { AzureCredential } from './azure.js';
import type { Backend } from './backend.js';
import { BandwidthLimitBackend, type BandwidthLimits } from './bandwidth-limit.js';
import { ConcurrencyLimitBackend } from './concurrency-limit.js';
import { FaultInjectingBackend, type FaultOptions } from './fault-injecting.js';
import { LazyBackend } from './lazy.js';
import { LocalBackend } from './local.js';
import { describeLocation, parseLocation, type StorageLocation } from './location.js';
import { RetryBackend, type RetryOptions } from './retry.js';
import { checkTransport } from './transport-policy.js';

/** Operations in flight at once when not set: a disk gains little from more, a cloud service from more connections. */
export const DEFAULT_CONNECTIONS: Readonly<Record<StorageLocation['kind'], number>> = { local: 4, s3: 8, azure: 8 };

export interface BackendStackOptions {
  /** Operations in flight at once; DEFAULT_CONNECTIONS by kind when unset. */
  readonly connections?: number;
  readonly limits?: BandwidthLimits;
  readonly retry?: RetryOptions;
  /** Only for tests (COFFER_FAULTS): inject faults below every other layer. */
  readonly faults?: FaultOptions;
  /** Allow plain http to hosts that are not loopback. */
  readonly insecureHttp?: boolean;
  readonly s3?: {
    /** Storage class for data packs. */
    readonly storageClass?: string;
    readonly region?: string;
    readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
  };
  readonly azure?: {
    /** Required for azure: locations. */
    readonly credential?: AzureCredential;
    /** Blob service URL for shared-key, SAS and default credentials. */
    readonly endpoint?: string;
    /** Access tier for data packs. */
    readonly tier?: string;
  };
}

/** Parses `location` (if given as a string) and builds its backend stack. Throws UsageError for bad locations or settings. */
export function openBackendStack(location: string | StorageLocation, options: BackendStackOptions = {}): Backend {
  const parsed = typeof location === 'string' ? parseLocation(location) : location;
  const connections = options.connections ?? DEFAULT_CONNECTIONS[parsed.kind];
  return layersOver(storageBackend(parsed, { ...options, connections }), { ...options, connections });
}

/** The layers of the stack over any storage backend (tests and benchmarks use it over memory). */
export function layersOver(storage: Backend, options: BackendStackOptions & { readonly connections: number }): Backend {
  let backend = storage;
  if (options.faults) backend = new FaultInjectingBackend(backend, options.faults);
  if (options.limits?.uploadBytesPerSecond !== undefined || options.limits?.downloadBytesPerSecond !== undefined) {
    backend = new BandwidthLimitBackend(backend, options.limits);
  }
  const { connections } = options;
  if (!Number.isInteger(connections) || connections < 1) throw new UsageError(`--connections must be a positive integer, not ${connections}`);
  backend = new ConcurrencyLimitBackend(backend, connections);
  return new RetryBackend(backend, options.retry);
}

function storageBackend(location: StorageLocation, options: BackendStackOptions & { readonly connections: number }): Backend {
  const shown = describeLocation(location);
  const { connections } = options;
  switch (location.kind) {
    case 'local':
      return new LocalBackend(resolve(location.path));
    case 's3': {
      // Checked here as well as on opening, so a refused endpoint fails before anything else happens.
      if (location.endpoint) checkTransport(location.endpoint, options.insecureHttp === true, `repository ${shown}`);
      const s3 = options.s3 ?? {};
      return new LazyBackend(shown, async () => (await import('./s3.js')).openS3Backend({
        endpoint: location.endpoint, bucket: location.bucket, prefix: location.prefix, location: shown,
        insecureHttp: options.insecureHttp, dataStorageClass: s3.storageClass, maxSockets: connections,
        region: s3.region, credentials: s3.credentials,
      }));
    }
    case 'azure': {
      const azure = options.azure ?? {};
      const credential = azure.credential;
      if (azure.endpoint) checkTransport(parseEndpoint(azure.endpoint, shown), options.insecureHttp === true, `repository ${shown}`);
      if (!credential) {
        throw new UsageError(`repository ${shown}: no Azure account: set AZURE_STORAGE_ACCOUNT (with a key, a SAS token or a signed-in identity) or AZURE_STORAGE_CONNECTION_STRING`);
      }
      return new LazyBackend(shown, async () => (await import('./azure.js')).openAzureBackend({
        container: location.container, prefix: location.prefix, location: shown, credential,
        endpoint: azure.endpoint, insecureHttp: options.insecureHttp, dataTier: azure.tier,
      }));
    }
  }
}

function parseEndpoint(endpoint: string, shown: string): URL {
  try {
    return new URL(endpoint);
  } catch (cause) {
    throw new UsageError(`repository ${shown}: the blob service endpoint ${JSON.stringify(endpoint)} is not a valid URL`, { cause });
  }
}
