import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { UsageError } from '../errors.js';
import { backendSettings, openBackend, parseFaults } from './backend-location.js';

const usage = (message: RegExp) => (error: unknown) => {
  assert.ok(error instanceof UsageError, String(error));
  assert.match(error.message, message);
  return true;
};

describe('backend settings from flags and environment', () => {
  test('rates are KiB/s, connections a count, classes and tiers checked', () => {
    assert.deepEqual(backendSettings('/tmp/r', { env: { COFFER_FAULTS: '1:0.1' } }).stack.retry?.policy, { baseDelayMs: 10, maxDelayMs: 200 }, 'fast retries under faults');
    const { stack } = backendSettings('s3://bucket', { flags: { limitUpload: '1024', limitDownload: '0.5', connections: '16', s3StorageClass: 'GLACIER_IR' } });
    assert.equal(stack.limits?.uploadBytesPerSecond, 1024 * 1024);
    assert.equal(stack.limits?.downloadBytesPerSecond, 512);
    assert.equal(stack.connections, 16);
    assert.equal(stack.s3?.storageClass, 'GLACIER_IR');
    assert.equal(backendSettings('azure:c1c', { flags: { azureTier: 'cool' }, env: { AZURE_STORAGE_CONNECTION_STRING: 'x' } }).stack.azure?.tier, 'Cool');
    const defaults = backendSettings('/tmp/repo').stack;
    assert.equal(defaults.connections, undefined);
    assert.equal(defaults.faults, undefined);
    assert.equal(defaults.insecureHttp, false);
  });

  test('bad values are usage errors naming the flag', () => {
    const cases: [Parameters<typeof backendSettings>[1], RegExp][] = [
      [{ flags: { limitUpload: '0' } }, /--limit-upload 0: expected a rate in KiB\/s greater than 0/],
      [{ flags: { limitDownload: 'fast' } }, /--limit-download fast/],
      [{ flags: { connections: '0' } }, /--connections 0: expected a whole number from 1 to 256/],
      [{ flags: { connections: '2.5' } }, /--connections 2\.5/],
      [{ flags: { s3StorageClass: 'GLACIER_IR' } }, /--s3-storage-class applies only to s3: repositories/],
      [{ flags: { azureTier: 'Cool' } }, /--azure-tier applies only to azure: repositories/],
      [{ env: { COFFER_FAULTS: 'x:0.2' } }, /COFFER_FAULTS=x:0\.2: expected SEED:RATE\[:KINDS\[:IN_A_ROW\]\]/],
    ];
    for (const [options, message] of cases) assert.throws(() => backendSettings('/tmp/repo', options), usage(message));
    assert.throws(() => backendSettings('s3://bucket', { flags: { s3StorageClass: 'cheap' } }), usage(/--s3-storage-class cheap: expected a storage class/));
    assert.throws(() => backendSettings('azure:c1c', { flags: { azureTier: 'Frozen' }, env: { AZURE_STORAGE_CONNECTION_STRING: 'x' } }),
      usage(/--azure-tier Frozen: expected one of Hot, Cool, Cold, Archive/));
  });

  test('Azure credentials: connection string, then account with key, SAS token, or the default credential', () => {
    const azure = (env: NodeJS.ProcessEnv) => backendSettings('azure:backups', { env }).stack.azure;
    assert.deepEqual(azure({ AZURE_STORAGE_CONNECTION_STRING: 'cs', AZURE_STORAGE_ACCOUNT: 'a', AZURE_STORAGE_KEY: 'k' })?.credential,
      { kind: 'connection-string', connectionString: 'cs' });
    assert.deepEqual(azure({ AZURE_STORAGE_ACCOUNT: 'a', AZURE_STORAGE_KEY: 'k', AZURE_STORAGE_SAS_TOKEN: 's' })?.credential, { kind: 'shared-key', account: 'a', key: 'k' });
    assert.deepEqual(azure({ AZURE_STORAGE_ACCOUNT: 'a', AZURE_STORAGE_SAS_TOKEN: '?sv=1' })?.credential, { kind: 'sas', account: 'a', token: '?sv=1' });
    assert.deepEqual(azure({ AZURE_STORAGE_ACCOUNT: 'a', AZURE_STORAGE_BLOB_ENDPOINT: 'https://a.blob.core.chinacloudapi.cn' }),
      { credential: { kind: 'default', account: 'a' }, endpoint: 'https://a.blob.core.chinacloudapi.cn', tier: undefined });
    assert.throws(() => azure({ AZURE_STORAGE_KEY: 'k' }), usage(/repository azure:backups: no Azure account: set AZURE_STORAGE_ACCOUNT/));
  });

  test('COFFER_FAULTS: seed, rate and optional kinds', () => {
    assert.deepEqual({ ...parseFaults('7:0.25'), onFault: undefined }, {
      seed: 7, rate: 0.25, kinds: ['error', 'timeout', 'lost-response', 'slow', 'truncate', 'corrupt'], maxInARow: 3, onFault: undefined,
    });
    assert.deepEqual(parseFaults('1:1:error,corrupt').kinds, ['error', 'corrupt']);
    assert.equal(parseFaults('1:0.5:corrupt:1000').maxInARow, 1000);
    for (const bad of ['7', '7:', '7:2', '7:0.1:melt', ':0.1', '7:0.1:', '7:0.1:error:0', '7:0.1:error:2:x', '-1:0.1', '7:1e-1']) {
      assert.throws(() => parseFaults(bad), UsageError, bad);
    }
    const messages: string[] = [];
    parseFaults('1:1', (m) => messages.push(m)).onFault?.({ operation: 'load', name: 'data/ab/12345678', kind: 'corrupt' });
    assert.deepEqual(messages, ['injected fault: corrupt during load data/ab/12345678']);
  });

  test('opening a cloud location loads no SDK and contacts nothing until the first operation', async () => {
    const backend = openBackend('s3:https://storage.invalid/bucket', { env: {} });
    assert.equal(backend.location, 's3:https://storage.invalid/bucket');
    await backend.close();
  });
});
