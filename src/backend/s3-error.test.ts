import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AbortedError, BackendError, NotFoundError } from '../errors.js';
import { mapS3Error } from './s3-error.js';
import { UnreachableError } from './unreachable-error.js';

const place = { bucket: 'backups', endpoint: 's3:https://s3.example.com' };
const HEX = 'abcdef12' + '3'.repeat(56);

/** An error shaped like the SDK's service exceptions. */
function serviceError(name: string, status: number, message = name): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });
}

function mapped(error: unknown) {
  return mapS3Error('save', `data/ab/${HEX}`, place, error);
}

describe('mapS3Error', () => {
  test('throttling, server errors, timeouts and damaged uploads are transient, naming the object', () => {
    for (const error of [
      serviceError('SlowDown', 503), serviceError('ServiceUnavailable', 503), serviceError('InternalError', 500),
      serviceError('RequestTimeout', 400), serviceError('BadDigest', 400), serviceError('XAmzContentSHA256Mismatch', 400),
      serviceError('TooManyRequestsException', 429), serviceError('UnknownError', 502),
      Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }),
      Object.assign(new Error('Connection timed out after 10000 ms'), { name: 'TimeoutError' }),
    ]) {
      const result = mapped(error);
      assert.ok(result instanceof BackendError && result.transient, `${error.name}: ${result.message}`);
      assert.ok(result.message.startsWith('save data/ab/abcdef12:'), result.message);
      assert.equal(result.cause, error);
    }
  });

  test('credentials, permissions and a missing bucket are permanent with a message saying what to fix', () => {
    const cases: [Error, RegExp][] = [
      [serviceError('SignatureDoesNotMatch', 403), /in bucket "backups": the secret key is wrong \(check AWS_SECRET_ACCESS_KEY/],
      [serviceError('InvalidAccessKeyId', 403), /the access key is not known to the service/],
      [serviceError('AccessDenied', 403), /access denied/],
      [serviceError('NoSuchBucket', 404), /bucket "backups" does not exist at s3:https:\/\/s3\.example\.com; create it first/],
      [serviceError('InvalidObjectState', 403), /archive storage class; restore it before reading/],
      [Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }), /no S3 credentials found: set AWS_ACCESS_KEY_ID/],
      [new Error('Region is missing'), /no AWS region configured: set AWS_REGION/],
      [Object.assign(new Error('getaddrinfo ENOTFOUND s3.example.com'), { code: 'ENOTFOUND' }), /cannot reach s3:https:\/\/s3\.example\.com: host not found/],
      [Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }), /TLS certificate is self-signed/],
      [serviceError('InvalidArgument', 400), /in bucket "backups": InvalidArgument \(HTTP 400\)/],
    ];
    for (const [error, message] of cases) {
      const result = mapped(error);
      assert.ok(result instanceof BackendError && !result.transient, `${error.name}: ${result.message}`);
      assert.match(result.message, message);
    }
  });

  test('a missing key is NotFoundError; a refused connection is UnreachableError; an abort is AbortedError', () => {
    assert.ok(mapS3Error('load', 'config', place, serviceError('NoSuchKey', 404)) instanceof NotFoundError);
    assert.ok(mapS3Error('stat', 'config', place, serviceError('NotFound', 404)) instanceof NotFoundError);
    const refused = mapped(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
    assert.ok(refused instanceof UnreachableError && refused.transient);
    assert.match(refused.message, /cannot reach s3:https:\/\/s3\.example\.com: connection refused/);
    const abort = Object.assign(new Error('aborted'), { name: 'AbortError' });
    assert.ok(mapS3Error('load', 'config', place, abort, AbortSignal.abort()) instanceof AbortedError);
    // An abort the caller did not ask for is the SDK giving up on a slow request.
    const timedOut = mapS3Error('load', 'config', place, abort, new AbortController().signal);
    assert.ok(timedOut instanceof BackendError && timedOut.transient);
    assert.equal(timedOut.message, 'load config: timed out (s3:https://s3.example.com)');
  });
});
