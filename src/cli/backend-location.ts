/**
 * The CLI's side of opening a repository location: reads the backend flags
 * and the environment (credentials, COFFER_FAULTS), checks them, and asks
 * src/backend/open-backend.ts for the stack. Locations and credentials are
 * described in docs/backends.md.
 */
import type { AzureCredential } from '../backend/azure.js';
import type { Backend } from '../backend/backend.js';
import { FAULT_KINDS, type FaultKind, type FaultOptions } from '../backend/fault-injecting.js';
import { parseLocation, type StorageLocation } from '../backend/location.js';
import { openBackendStack, type BackendStackOptions } from '../backend/open-backend.js';
import type { RetryEvent } from '../backend/retry.js';
import { UsageError } from '../errors.js';

/** Global flags that shape the backend stack (declared in main.ts). */
export interface BackendFlags {
  readonly limitUpload?: string;
  readonly limitDownload?: string;
  readonly connections?: string;
  readonly s3StorageClass?: string;
  readonly azureTier?: string;
  readonly insecureHttp?: boolean;
}

export interface OpenBackendOptions {
  readonly flags?: BackendFlags;
  readonly env?: NodeJS.ProcessEnv;
  /** Told before each retry, for a line on stderr. */
  readonly onRetry?: (message: string) => void;
  /** Told about each injected fault (COFFER_FAULTS only). */
  readonly onFault?: (message: string) => void;
}

const AZURE_TIERS = ['Hot', 'Cool', 'Cold', 'Archive'];

/** Builds the backend stack for `location`; throws UsageError naming what is wrong with the location, flags or environment. */
export function openBackend(location: string, options: OpenBackendOptions = {}): Backend {
  const { parsed, stack } = backendSettings(location, options);
  return openBackendStack(parsed, stack);
}

/** The parsed location and the stack options that flags and environment ask for; exported for tests. */
export function backendSettings(location: string, options: OpenBackendOptions = {}): { parsed: StorageLocation; stack: BackendStackOptions } {
  const flags = options.flags ?? {};
  const env = options.env ?? {};
  const parsed = parseLocation(location);
  // The AWS SDK warns on stderr about Node versions that later SDK releases will drop; it concerns
  // the SDK's maintainers, not this run, and would land in every script's error output.
  if (parsed.kind === 's3') process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
  if (flags.s3StorageClass !== undefined && parsed.kind !== 's3') throw new UsageError('--s3-storage-class applies only to s3: repositories');
  if (flags.azureTier !== undefined && parsed.kind !== 'azure') throw new UsageError('--azure-tier applies only to azure: repositories');
  const stack: BackendStackOptions = {
    connections: flags.connections === undefined ? undefined : parseCount('--connections', flags.connections),
    limits: {
      uploadBytesPerSecond: flags.limitUpload === undefined ? undefined : parseRate('--limit-upload', flags.limitUpload),
      downloadBytesPerSecond: flags.limitDownload === undefined ? undefined : parseRate('--limit-download', flags.limitDownload),
    },
    insecureHttp: flags.insecureHttp === true,
    retry: {
      onRetry: options.onRetry && ((event) => options.onRetry?.(describeRetry(event))),
      // Under injected faults (tests only) back off from 10 ms, not 500 ms, so test runs stay short.
      ...(nonEmpty(env['COFFER_FAULTS']) === undefined ? {} : { policy: { baseDelayMs: 10, maxDelayMs: 200 } }),
    },
    faults: nonEmpty(env['COFFER_FAULTS']) === undefined ? undefined : parseFaults(env['COFFER_FAULTS']!, options.onFault),
    s3: { storageClass: flags.s3StorageClass === undefined ? undefined : parseStorageClass(flags.s3StorageClass) },
    azure: parsed.kind === 'azure' ? azureSettings(location, env, flags) : undefined,
  };
  return { parsed, stack };
}

/** The Azure credential from the environment, in the order docs/backends.md gives. */
function azureSettings(location: string, env: NodeJS.ProcessEnv, flags: BackendFlags): BackendStackOptions['azure'] {
  const tier = flags.azureTier === undefined ? undefined : parseTier(flags.azureTier);
  const endpoint = nonEmpty(env['AZURE_STORAGE_BLOB_ENDPOINT']);
  const connectionString = nonEmpty(env['AZURE_STORAGE_CONNECTION_STRING']);
  if (connectionString !== undefined) return { credential: { kind: 'connection-string', connectionString }, tier };
  const account = nonEmpty(env['AZURE_STORAGE_ACCOUNT']);
  if (account === undefined) {
    throw new UsageError(
      `repository ${location}: no Azure account: set AZURE_STORAGE_ACCOUNT ` +
      '(with AZURE_STORAGE_KEY, AZURE_STORAGE_SAS_TOKEN or a signed-in identity) or AZURE_STORAGE_CONNECTION_STRING',
    );
  }
  const key = nonEmpty(env['AZURE_STORAGE_KEY']);
  const sas = nonEmpty(env['AZURE_STORAGE_SAS_TOKEN']);
  const credential: AzureCredential = key !== undefined
    ? { kind: 'shared-key', account, key }
    : sas !== undefined ? { kind: 'sas', account, token: sas } : { kind: 'default', account };
  return { credential, endpoint, tier };
}

/** KiB/s as given on the command line, to bytes per second. */
function parseRate(flag: string, value: string): number {
  const kib = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value.trim()) || !(kib > 0)) throw new UsageError(`${flag} ${value}: expected a rate in KiB/s greater than 0, e.g. 2048`);
  return kib * 1024;
}

function parseCount(flag: string, value: string): number {
  const count = Number(value);
  if (!/^\d+$/.test(value.trim()) || count < 1 || count > 256) throw new UsageError(`${flag} ${value}: expected a whole number from 1 to 256`);
  return count;
}

function parseStorageClass(value: string): string {
  if (!/^[A-Z][A-Z0-9_]*$/.test(value)) {
    throw new UsageError(`--s3-storage-class ${value}: expected a storage class such as STANDARD_IA, INTELLIGENT_TIERING or GLACIER_IR`);
  }
  return value;
}

function parseTier(value: string): string {
  const tier = AZURE_TIERS.find((t) => t.toLowerCase() === value.toLowerCase());
  if (tier === undefined) throw new UsageError(`--azure-tier ${value}: expected one of ${AZURE_TIERS.join(', ')}`);
  return tier;
}

/** Faults in a row per operation and object under COFFER_FAULTS unless given: fewer than either retry layer tries. */
export const DEFAULT_FAULTS_IN_A_ROW = 3;

/**
 * COFFER_FAULTS=SEED:RATE[:KINDS[:IN_A_ROW]], for tests only (docs/backends.md,
 * "Testing with faults"): inject faults at RATE (0 to 1) into every storage
 * operation, drawn from KINDS (comma-separated; all by default), at most
 * IN_A_ROW times in a row for one operation on one object (default 3).
 */
export function parseFaults(value: string, onFault?: (message: string) => void): FaultOptions {
  const [seedText = '', rateText = '', kindsText = '', inARowText = String(DEFAULT_FAULTS_IN_A_ROW), ...rest] = value.split(':');
  const seed = Number(seedText);
  const rate = Number(rateText);
  const maxInARow = Number(inARowText);
  const kinds = kindsText === '' ? FAULT_KINDS : kindsText.split(',') as FaultKind[];
  const bad = kinds.filter((kind) => !FAULT_KINDS.includes(kind));
  if (!/^\d+$/.test(seedText) || !/^(0|1|0?\.\d+|1\.0*)$/.test(rateText) || !(rate >= 0 && rate <= 1) || bad.length > 0
    || !/^\d+$/.test(inARowText) || maxInARow < 1 || rest.length > 0 || /:$/.test(value) && kindsText === '') {
    throw new UsageError(
      `COFFER_FAULTS=${value}: expected SEED:RATE[:KINDS[:IN_A_ROW]], e.g. 7:0.2 or 7:0.5:corrupt,truncate:2 (kinds: ${FAULT_KINDS.join(', ')})`,
    );
  }
  return {
    seed, rate, kinds, maxInARow,
    onFault: onFault && ((event) => onFault(`injected fault: ${event.kind} during ${event.operation} ${event.name}`)),
  };
}

function describeRetry(event: RetryEvent): string {
  const delay = event.delayMs < 1000 ? `${event.delayMs} ms` : `${(event.delayMs / 1000).toFixed(1)} s`;
  return `${event.error.message}; retrying in ${delay} (attempt ${event.attempt + 1})`;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
