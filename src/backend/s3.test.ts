/**
 * The S3 backend against a real S3 server (s3rver, started here from
 * node_modules). If s3rver cannot start, these tests fail; they never skip.
 * s3rver checks request signatures but neither checksums nor If-None-Match,
 * so save-if-absent is proved here through the HEAD-first path that other
 * S3-compatible endpoints get, and the headers sent are checked directly.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { BackendError, NotFoundError } from '../errors.js';
import type { Backend } from './backend.js';
import { runBackendConformance } from './conformance.js';
import { parseLocation } from './location.js';
import { openBackendStack } from './open-backend.js';
import { openS3Backend, type S3Backend } from './s3.js';
import { startS3rver, type S3rverServer } from './testing-servers.js';

let server: S3rverServer | undefined;
const started = startS3rver();
// Marked handled now; every test that needs the server awaits it and fails if it did not start.
started.catch(() => undefined);
async function s3(): Promise<S3rverServer> {
  server ??= await started;
  return server;
}
after(async () => {
  await (await started.catch(() => undefined))?.stop();
});

let prefixes = 0;
async function openAt(prefix: string, extra: { storageClass?: string; credentials?: { accessKeyId: string; secretAccessKey: string }; bucket?: string } = {}): Promise<S3Backend> {
  const { endpoint, bucket, credentials } = await s3();
  const location = `s3:${endpoint}/${extra.bucket ?? bucket}/${prefix}`;
  const parsed = parseLocation(location);
  assert.ok(parsed.kind === 's3');
  return openS3Backend({
    endpoint: parsed.endpoint, bucket: parsed.bucket, prefix: parsed.prefix, location,
    credentials: extra.credentials ?? credentials, region: 'us-east-1', dataStorageClass: extra.storageClass,
  });
}
const freshPrefix = () => `t${process.pid}-${(prefixes += 1)}`;

runBackendConformance('S3Backend conformance (s3rver)', async () => {
  const backend = await openAt(freshPrefix());
  return { backend, cleanup: () => backend.close() };
});

/** Records the headers of every request the backend's client sends, until the returned list is stopped. */
function recordHeaders(backend: S3Backend): Record<string, string>[] {
  const seen: Record<string, string>[] = [];
  const name = `recordHeaders${(recorders += 1)}`;
  backend.client.middlewareStack.add((next) => async (args) => {
    const request = (args as { request?: { method?: string; headers?: Record<string, string> } }).request;
    seen.push({ ':method': request?.method ?? '', ...request?.headers });
    return next(args);
  }, { step: 'finalizeRequest', name });
  after(() => backend.client.middlewareStack.remove(name));
  return seen;
}
let recorders = 0;

describe('S3Backend', () => {
  let backend: S3Backend;
  let prefix: string;
  before(async () => {
    prefix = freshPrefix();
    backend = await openAt(prefix, { storageClass: 'STANDARD_IA' });
  });
  after(() => backend.close());

  test('every upload carries the SHA-256 and MD5 of its bytes and If-None-Match: *, as a Buffer with a length', async () => {
    const seen = recordHeaders(backend);
    const data = Buffer.from('checksummed bytes');
    await backend.save('sums/a', data);
    const put = seen.find((h) => h[':method'] === 'PUT');
    assert.ok(put, 'a PUT was sent');
    assert.equal(put['x-amz-checksum-sha256'], createHash('sha256').update(data).digest('base64'));
    assert.equal(put['content-md5'], createHash('md5').update(data).digest('base64'));
    assert.equal(put['if-none-match'], '*');
    assert.equal(put['content-length'], String(data.length));
    assert.ok(!/aws-chunked/.test(put['content-encoding'] ?? ''), 'not sent as aws-chunked');
    // Another S3-compatible endpoint may ignore If-None-Match: a HEAD comes first.
    assert.equal(seen[0]?.[':method'], 'HEAD');
  });

  test('the storage class applies to data packs only', async () => {
    const seen = recordHeaders(backend);
    const pack = `data/ab/ab${'0'.repeat(62)}`;
    await backend.save(pack, Buffer.from('data pack'));
    await backend.save('index/1234', Buffer.from('index'));
    await backend.save('tree/ab/cd', Buffer.from('tree pack'));
    const puts = seen.filter((h) => h[':method'] === 'PUT');
    assert.equal(puts.length, 3);
    assert.equal(puts[0]!['x-amz-storage-class'], 'STANDARD_IA');
    assert.equal(puts[1]!['x-amz-storage-class'], undefined);
    assert.equal(puts[2]!['x-amz-storage-class'], undefined);
    // And the server kept it.
    const { HeadObjectCommand } = await import('@aws-sdk/client-s3');
    const head = await backend.client.send(new HeadObjectCommand({ Bucket: (await s3()).bucket, Key: `${prefix}/${pack}` }));
    assert.equal(head.StorageClass, 'STANDARD_IA');
  });

  test('objects live below the prefix; other prefixes and stray keys are not listed', async () => {
    const otherPrefix = freshPrefix();
    const other = await openAt(otherPrefix);
    try {
      await backend.save('shared-name', Buffer.from('mine'));
      await other.save('shared-name', Buffer.from('theirs'));
      assert.equal((await backend.load('shared-name')).toString(), 'mine');
      assert.equal((await other.load('shared-name')).toString(), 'theirs');
      const { PutObjectCommand } = await import('@aws-sdk/client-s3');
      await other.client.send(new PutObjectCommand({ Bucket: (await s3()).bucket, Key: `${otherPrefix}/Stray File.txt`, Body: 'x' }));
      const names: string[] = [];
      for await (const object of other.list('')) names.push(object.name);
      assert.deepEqual(names, ['shared-name']);
    } finally {
      await other.close();
    }
  });

  // s3rver checks the access key id but not SigV4 signatures, so a wrong secret is covered by s3-error.test.ts.
  test('an unknown access key and a missing bucket are permanent errors that say so', async () => {
    const unknownKey = await openAt(freshPrefix(), { credentials: { accessKeyId: 'NOBODY', secretAccessKey: 'x' } });
    await assert.rejects(unknownKey.load('config'), (error: unknown) => permanent(error, /load config in bucket "coffer-test": the access key is not known/));
    // A save starts with a HEAD, whose answer carries no reason.
    await assert.rejects(unknownKey.save('config', Buffer.from('x')), (error: unknown) => permanent(error, /access denied, or the credentials are wrong/));
    await unknownKey.close();
    const noBucket = await openAt('p', { bucket: 'no-such-bucket' });
    await assert.rejects(collect(noBucket.list('keys/')), (error: unknown) => permanent(error, /bucket "no-such-bucket" does not exist at s3:http:\/\/127\.0\.0\.1:\d+; create it first/));
    await assert.rejects(noBucket.save('config', Buffer.from('x')), (error: unknown) => permanent(error, /bucket "no-such-bucket" does not exist/));
    await noBucket.close();
  });

  test('a missing object is NotFoundError for every operation, ranged loads included', async () => {
    for (const run of [
      () => backend.load('nothing/here'), () => backend.load('nothing/here', { range: { offset: 5, length: 5 } }),
      () => backend.load('nothing/here', { range: { offset: 0, length: 0 } }), () => backend.stat('nothing/here'),
      () => backend.remove('nothing/here'),
    ]) {
      await assert.rejects(run(), NotFoundError);
    }
  });
});

describe('S3 location and transport', () => {
  test('plain http to a host that is not loopback is refused unless allowed', async () => {
    const location = parseLocation('s3:http://storage.example.com/bucket');
    assert.ok(location.kind === 's3');
    const options = { endpoint: location.endpoint, bucket: location.bucket, prefix: '', location: 's3:http://storage.example.com/bucket' };
    await assert.rejects(openS3Backend(options), /plain http to storage\.example\.com refused/);
    const allowed = await openS3Backend({ ...options, insecureHttp: true, region: 'us-east-1' });
    await allowed.close();
  });

  test('an endpoint that refuses connections fails at once, without retries, naming it', async () => {
    const { credentials } = await s3();
    const backend: Backend = openBackendStack('s3:http://127.0.0.1:9/bucket', { s3: { credentials, region: 'us-east-1' } });
    const start = performance.now();
    await assert.rejects(backend.stat('config'), (error: unknown) => permanent(error, /cannot reach s3:http:\/\/127\.0\.0\.1:9: connection refused \(not retried/));
    assert.ok(performance.now() - start < 5_000, 'no backoff');
    await backend.close();
  });
});

function permanent(error: unknown, message: RegExp): boolean {
  assert.ok(error instanceof BackendError, `expected BackendError, got ${String(error)}`);
  assert.equal(error.transient, false, error.message);
  assert.match(error.message, message);
  return true;
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}
