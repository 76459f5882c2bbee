/**
 * Failures below HTTP (sockets, DNS, TLS), which both cloud SDKs pass
 * through with Node's error codes. Shared by the S3 and Azure error mappings
 * so both classify them alike.
 */
import { BackendError } from '../errors.js';
import { UnreachableError } from './unreachable-error.js';

/** The endpoint did not answer at all: transient, but the retry layer fails fast until it has answered once. */
const UNREACHABLE: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EHOSTDOWN: 'host down',
};

/** Broken mid-way or slow: worth another try. */
const TRANSIENT: Readonly<Record<string, string>> = {
  ECONNRESET: 'connection reset',
  EPIPE: 'connection closed',
  ETIMEDOUT: 'timed out',
  ECONNABORTED: 'connection aborted',
  EAI_AGAIN: 'name lookup failed temporarily',
  ENETDOWN: 'network down',
  EPROTO: 'protocol error',
  UND_ERR_SOCKET: 'connection closed',
  ERR_STREAM_PREMATURE_CLOSE: 'connection closed early',
};

/** No retry can help until someone changes the configuration. */
const PERMANENT: Readonly<Record<string, string>> = {
  ENOTFOUND: 'host not found',
  CERT_HAS_EXPIRED: 'TLS certificate expired',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'TLS certificate is self-signed',
  SELF_SIGNED_CERT_IN_CHAIN: 'TLS certificate chain is self-signed',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'TLS certificate cannot be verified',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'TLS certificate issuer unknown',
  ERR_TLS_CERT_ALTNAME_INVALID: 'TLS certificate does not match the host name',
};

/** The error code Node put on `error` or on its cause, if any. */
export function nodeErrorCode(error: unknown): string | undefined {
  for (let at: unknown = error, depth = 0; typeof at === 'object' && at !== null && depth < 4; depth += 1) {
    const code = (at as { code?: unknown }).code;
    if (typeof code === 'string' && (code in UNREACHABLE || code in TRANSIENT || code in PERMANENT)) return code;
    at = (at as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Maps a socket, DNS or TLS failure to a BackendError, or returns undefined if `error` is none of those. */
export function mapNetworkError(subject: string, endpoint: string, error: unknown): BackendError | undefined {
  const code = nodeErrorCode(error);
  if (code === undefined) return undefined;
  if (code in UNREACHABLE) return new UnreachableError(`${subject}: cannot reach ${endpoint}: ${UNREACHABLE[code]}`, { cause: error });
  if (code in TRANSIENT) return new BackendError(`${subject}: ${TRANSIENT[code]} (${endpoint})`, { transient: true, cause: error });
  return new BackendError(`${subject}: cannot reach ${endpoint}: ${PERMANENT[code]}`, { transient: false, cause: error });
}
