/**
 * The one place where the S3 backend turns what the AWS SDK throws into the
 * shared error kinds (backend.ts: "map every failure ... in one function").
 * Transient: throttling (SlowDown, 503, 429), server errors (5xx), request
 * timeouts, checksum mismatches of an upload (the bytes were damaged on the
 * way), broken connections. Permanent: credentials, permissions, a missing
 * bucket, archived objects, anything else the service refuses with a 4xx.
 */
import { AbortedError, BackendError, CofferError, NotFoundError, describe } from '../errors.js';
import { mapNetworkError } from './network-error.js';
import { shortName } from './object-name.js';

/** Where the failure happened, for messages: the bucket and, for S3-compatible stores, the endpoint. */
export interface S3Place {
  readonly bucket: string;
  /** `s3:https://host:port` or `Amazon S3`. */
  readonly endpoint: string;
}

const TRANSIENT_CODES = new Set([
  'SlowDown', 'ServiceUnavailable', 'InternalError', 'RequestTimeout', 'Throttling',
  'ThrottlingException', 'TooManyRequestsException', 'RequestLimitExceeded', 'BandwidthLimitExceeded',
  'BadDigest', 'InvalidDigest', 'XAmzContentSHA256Mismatch', 'TimeoutError', 'OperationAborted',
]);

/** Reasons to show for permanent errors people can fix, by the service's error code. */
const PERMANENT_REASONS: Readonly<Record<string, string>> = {
  AccessDenied: 'access denied (the credentials lack permission for this operation)',
  AllAccessDisabled: 'access to the bucket is disabled',
  InvalidAccessKeyId: 'the access key is not known to the service (check AWS_ACCESS_KEY_ID or the profile)',
  SignatureDoesNotMatch: 'the secret key is wrong (check AWS_SECRET_ACCESS_KEY or the profile)',
  ExpiredToken: 'the session token has expired',
  InvalidToken: 'the session token is invalid',
  RequestTimeTooSkewed: 'this computer\'s clock is too far from the service\'s',
  InvalidObjectState: 'the object is in an archive storage class; restore it before reading (docs/backends.md, "Storage tiers")',
  InvalidStorageClass: 'the storage class is not accepted by this service',
  PermanentRedirect: 'the bucket is in another region (set AWS_REGION)',
  AuthorizationHeaderMalformed: 'the request was signed for the wrong region (set AWS_REGION)',
};

/**
 * Maps anything the SDK threw during `operation` on object `name` to a coffer
 * error. `signal` is the caller's: an abort it did not cause is a timeout.
 */
export function mapS3Error(operation: string, name: string, place: S3Place, error: unknown, signal?: AbortSignal): CofferError {
  if (error instanceof CofferError) return error;
  const subject = `${operation} ${shortName(name)}`;
  const errorName = error instanceof Error ? error.name : '';
  if (errorName === 'AbortError') {
    if (signal?.aborted) return new AbortedError(undefined, { cause: error });
    return new BackendError(`${subject}: timed out (${place.endpoint})`, { transient: true, cause: error });
  }
  const network = mapNetworkError(subject, place.endpoint, error);
  if (network) return network;
  if (errorName === 'CredentialsProviderError' || /could not load credentials/i.test(describe(error))) {
    return new BackendError(
      `${subject}: no S3 credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE, or run with an instance role`,
      { transient: false, cause: error },
    );
  }
  if (/region is missing/i.test(describe(error))) {
    return new BackendError(`${subject}: no AWS region configured: set AWS_REGION`, { transient: false, cause: error });
  }
  const status = httpStatus(error);
  const code = serviceCode(error) ?? errorName;
  if (code === 'NoSuchBucket') {
    return new BackendError(`${subject}: bucket "${place.bucket}" does not exist at ${place.endpoint}; create it first`, { transient: false, cause: error });
  }
  if (code === 'NoSuchKey' || (status === 404 && (code === 'NotFound' || code === 'UnknownError' || code === ''))) {
    return new NotFoundError(`${subject}: not found`, { cause: error });
  }
  // A HEAD answer has no body, so no code says why: name both likely causes.
  if (status === 403 && (code === '' || code === 'Unknown' || code === 'UnknownError' || code === 'Forbidden')) {
    return new BackendError(`${subject} in bucket "${place.bucket}": access denied, or the credentials are wrong (HTTP 403)`, { transient: false, cause: error });
  }
  if (code in PERMANENT_REASONS) {
    return new BackendError(`${subject} in bucket "${place.bucket}": ${PERMANENT_REASONS[code]}`, { transient: false, cause: error });
  }
  const detail = `${code || 'error'}${status === undefined ? '' : ` (HTTP ${status})`}: ${describe(error)}`;
  if (TRANSIENT_CODES.has(code) || (status !== undefined && (status >= 500 || status === 429 || status === 408))) {
    return new BackendError(`${subject}: ${detail}`, { transient: true, cause: error });
  }
  return new BackendError(`${subject} in bucket "${place.bucket}": ${detail}`, { transient: false, cause: error });
}

/** The HTTP status the service answered with, if it answered. */
export function httpStatus(error: unknown): number | undefined {
  const metadata = (error as { $metadata?: { httpStatusCode?: unknown } } | null)?.$metadata;
  return typeof metadata?.httpStatusCode === 'number' ? metadata.httpStatusCode : undefined;
}

/** The service's error code (`Code` in the XML body), when the SDK kept it apart from the name. */
function serviceCode(error: unknown): string | undefined {
  const code = (error as { Code?: unknown } | null)?.Code;
  return typeof code === 'string' && code !== '' ? code : undefined;
}
