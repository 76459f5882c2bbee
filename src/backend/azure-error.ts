/**
 * The one place where the Azure backend turns what `@azure/storage-blob` and
 * `@azure/identity` throw into the shared error kinds. Transient: 5xx
 * (ServerBusy, InternalError, OperationTimedOut), 429, 408, an MD5 mismatch
 * of an upload (bytes damaged on the way), broken connections. Permanent:
 * credentials, permissions, a missing container, archived blobs, other 4xx.
 */
import { AbortedError, BackendError, CofferError, NotFoundError, describe } from '../errors.js';
import { mapNetworkError } from './network-error.js';
import { shortName } from './object-name.js';

/** Where the failure happened, for messages. */
export interface AzurePlace {
  readonly container: string;
  /** The blob service URL, without any SAS token. */
  readonly endpoint: string;
}

const TRANSIENT_CODES = new Set(['ServerBusy', 'InternalError', 'OperationTimedOut', 'Md5Mismatch', 'Crc64Mismatch', 'REQUEST_SEND_ERROR']);

const PERMANENT_REASONS: Readonly<Record<string, string>> = {
  AuthenticationFailed: 'authentication failed: the account key or SAS token is wrong or has expired',
  InvalidAuthenticationInfo: 'authentication failed: the credentials are not valid for this account',
  NoAuthenticationInformation: 'no credentials were sent (set AZURE_STORAGE_KEY, AZURE_STORAGE_SAS_TOKEN or AZURE_STORAGE_CONNECTION_STRING)',
  // Also what Azurite answers to a wrong account key.
  AuthorizationFailure: 'access denied: the credentials are wrong or lack permission for this operation',
  AuthorizationPermissionMismatch: 'access denied (the credentials lack permission for this operation)',
  AuthorizationResourceTypeMismatch: 'access denied (the SAS token does not cover this kind of resource)',
  AuthorizationServiceMismatch: 'access denied (the SAS token does not cover the blob service)',
  InsufficientAccountPermissions: 'access denied (the account lacks permission for this operation)',
  AccountIsDisabled: 'the storage account is disabled',
  BlobArchived: 'the blob is in the Archive tier; rehydrate it before reading (docs/backends.md, "Storage tiers")',
  BlobBeingRehydrated: 'the blob is being rehydrated from the Archive tier; try again when that is done',
  InvalidHeaderValue: 'the service refused a header value (is --azure-tier valid for this account?)',
};

const CREDENTIAL_ERRORS = new Set(['CredentialUnavailableError', 'AggregateAuthenticationError', 'AuthenticationRequiredError', 'AuthenticationError']);

/**
 * Maps anything the Azure SDK threw during `operation` on object `name` to a
 * coffer error. `signal` is the caller's: an abort it did not cause is the
 * SDK's per-try timeout.
 */
export function mapAzureError(operation: string, name: string, place: AzurePlace, error: unknown, signal?: AbortSignal): CofferError {
  if (error instanceof CofferError) return error;
  const subject = `${operation} ${shortName(name)}`;
  const errorName = error instanceof Error ? error.name : '';
  if (errorName === 'AbortError') {
    if (signal?.aborted) return new AbortedError(undefined, { cause: error });
    return new BackendError(`${subject}: timed out (${place.endpoint})`, { transient: true, cause: error });
  }
  if (CREDENTIAL_ERRORS.has(errorName)) {
    return new BackendError(
      `${subject}: no Azure credentials: set AZURE_STORAGE_KEY, AZURE_STORAGE_SAS_TOKEN or AZURE_STORAGE_CONNECTION_STRING, ` +
      `or sign in for DefaultAzureCredential (az login, managed identity) (${firstLine(describe(error))})`,
      { transient: false, cause: error },
    );
  }
  if (/bearer token authentication is not permitted for non-TLS/i.test(describe(error))) {
    return new BackendError(
      `${subject}: a signed-in identity (DefaultAzureCredential) needs https; over http use AZURE_STORAGE_KEY, AZURE_STORAGE_SAS_TOKEN or a connection string`,
      { transient: false, cause: error },
    );
  }
  const network = mapNetworkError(subject, place.endpoint, error);
  if (network) return network;
  const status = azureStatus(error);
  const code = azureErrorCode(error) ?? '';
  if (code === 'ContainerNotFound') {
    return new BackendError(`${subject}: container "${place.container}" does not exist at ${place.endpoint}; create it first`, { transient: false, cause: error });
  }
  if (code === 'BlobNotFound' || (status === 404 && code === '')) return new NotFoundError(`${subject}: not found`, { cause: error });
  // Azure says Md5Mismatch; Azurite says InvalidOperation with this message.
  if (status === 400 && /content-?md5.*(not|n't) match/i.test(describe(error))) {
    return new BackendError(`${subject}: Md5Mismatch (HTTP 400): the bytes were damaged on the way`, { transient: true, cause: error });
  }
  if (code in PERMANENT_REASONS) {
    return new BackendError(`${subject} in container "${place.container}": ${PERMANENT_REASONS[code]}`, { transient: false, cause: error });
  }
  if (status === 403) {
    return new BackendError(`${subject} in container "${place.container}": access denied (${code || 'HTTP 403'})`, { transient: false, cause: error });
  }
  const detail = `${code || 'error'}${status === undefined ? '' : ` (HTTP ${status})`}: ${firstLine(describe(error))}`;
  if (TRANSIENT_CODES.has(code) || (status !== undefined && (status >= 500 || status === 429 || status === 408))) {
    return new BackendError(`${subject}: ${detail}`, { transient: true, cause: error });
  }
  return new BackendError(`${subject} in container "${place.container}": ${detail}`, { transient: false, cause: error });
}

/** The HTTP status of a RestError, if the service answered. */
export function azureStatus(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

/** The service's error code: from the body, or from the x-ms-error-code header for bodiless answers (HEAD). */
export function azureErrorCode(error: unknown): string | undefined {
  const candidate = error as { code?: unknown; details?: { errorCode?: unknown }; response?: { headers?: { get?: (name: string) => string | undefined } } } | null;
  for (const code of [candidate?.details?.errorCode, candidate?.code, candidate?.response?.headers?.get?.('x-ms-error-code')]) {
    if (typeof code === 'string' && code !== '') return code;
  }
  return undefined;
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? '';
}
