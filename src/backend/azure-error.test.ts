import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AbortedError, BackendError, NotFoundError } from '../errors.js';
import { mapAzureError } from './azure-error.js';
import { UnreachableError } from './unreachable-error.js';

const place = { container: 'backups', endpoint: 'https://acct.blob.core.windows.net' };

/** An error shaped like the SDK's RestError. */
function restError(code: string | undefined, statusCode: number | undefined, message = code ?? 'error'): Error {
  return Object.assign(new Error(message), { name: 'RestError', code, statusCode, details: code ? { errorCode: code } : undefined });
}

describe('mapAzureError', () => {
  test('busy, failing or slow service, damaged uploads and broken connections are transient', () => {
    for (const error of [
      restError('ServerBusy', 503), restError('InternalError', 500), restError('OperationTimedOut', 500), restError(undefined, 429),
      restError('Md5Mismatch', 400), restError('InvalidOperation', 400, "Provided contentMD5 doesn't match."),
      restError('ECONNRESET', undefined, 'socket hang up'),
    ]) {
      const result = mapAzureError('save', 'index/1', place, error);
      assert.ok(result instanceof BackendError && result.transient, `${String((error as { code?: string }).code)}: ${result.message}`);
      assert.ok(result.message.startsWith('save index/1:'), result.message);
    }
  });

  test('credentials, permissions, a missing container and archived blobs are permanent and say what to fix', () => {
    const cases: [Error, RegExp][] = [
      [restError('AuthenticationFailed', 403), /in container "backups": authentication failed: the account key or SAS token is wrong/],
      [restError('AuthorizationPermissionMismatch', 403), /access denied \(the credentials lack permission/],
      [restError('ContainerNotFound', 404), /container "backups" does not exist at https:\/\/acct\.blob\.core\.windows\.net; create it first/],
      [restError('BlobArchived', 409), /Archive tier; rehydrate it before reading/],
      [restError(undefined, 403), /access denied \(HTTP 403\)/],
      [Object.assign(new Error('DefaultAzureCredential failed to retrieve a token'), { name: 'AggregateAuthenticationError' }), /no Azure credentials: set AZURE_STORAGE_KEY/],
      [restError('ENOTFOUND', undefined, 'getaddrinfo ENOTFOUND acct.blob.core.windows.net'), /host not found/],
      [new Error('Bearer token authentication is not permitted for non-TLS protected (non-https) URLs.'), /DefaultAzureCredential\) needs https/],
    ];
    for (const [error, message] of cases) {
      const result = mapAzureError('load', 'config', place, error);
      assert.ok(result instanceof BackendError && !result.transient, result.message);
      assert.match(result.message, message);
    }
  });

  test('a missing blob is NotFoundError, a refused connection UnreachableError; an abort is ours only if our signal fired', () => {
    assert.ok(mapAzureError('load', 'config', place, restError('BlobNotFound', 404)) instanceof NotFoundError);
    assert.ok(mapAzureError('stat', 'config', place, restError(undefined, 404)) instanceof NotFoundError);
    assert.ok(mapAzureError('stat', 'config', place, restError('ECONNREFUSED', undefined)) instanceof UnreachableError);
    const abort = Object.assign(new Error('The operation was aborted.'), { name: 'AbortError' });
    assert.ok(mapAzureError('load', 'config', place, abort, AbortSignal.abort()) instanceof AbortedError);
    const timedOut = mapAzureError('load', 'config', place, abort);
    assert.ok(timedOut instanceof BackendError && timedOut.transient && /timed out/.test(timedOut.message));
  });
});
