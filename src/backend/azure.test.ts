/**
 * The Azure backend against a real Azure Blob server (Azurite, started here
 * from node_modules). If Azurite cannot start, these tests fail; they never
 * skip. Azurite checks SharedKey signatures, SAS permissions, Content-MD5 and
 * If-None-Match, so those behaviours are proved here for real.
 */
import assert from 'node:assert/strict';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { BackendError, NotFoundError } from '../errors.js';
import { openAzureBackend, type AzureBackend, type AzureCredential } from './azure.js';
import { runBackendConformance } from './conformance.js';
import { startAzurite, type AzuriteServer } from './testing-servers.js';

const started = startAzurite();
started.catch(() => undefined); // each test awaits it, and fails if it did not start
const azurite = () => started;
const containers = new Set<string>();
after(async () => {
  await (await started.catch(() => undefined))?.stop();
});

let count = 0;
/** A fresh container (created once per name) and a backend on it. */
async function openOn(options: { container?: string; prefix?: string; credential?: AzureCredential; endpoint?: string; dataTier?: string; listPageSize?: number } = {}): Promise<AzureBackend> {
  const server = await azurite();
  const container = options.container ?? `t${process.pid}-${(count += 1)}`;
  if (options.container === undefined && !containers.has(container)) {
    await server.createContainer(container);
    containers.add(container);
  }
  return openAzureBackend({
    container, prefix: options.prefix ?? '', location: `azure:${container}`,
    credential: options.credential ?? { kind: 'connection-string', connectionString: server.connectionString },
    endpoint: options.endpoint, dataTier: options.dataTier, listPageSize: options.listPageSize,
  });
}

runBackendConformance('AzureBackend conformance (Azurite), listing in pages of 400', async () => {
  const backend = await openOn({ prefix: 'repo/one', listPageSize: 400 });
  return { backend, cleanup: () => backend.close() };
});

describe('AzureBackend', () => {
  let server: AzuriteServer;
  before(async () => {
    server = await azurite();
  });

  test('the access tier applies to data packs only', async () => {
    const backend = await openOn({ dataTier: 'Cool' });
    const pack = `data/ab/ab${'0'.repeat(62)}`;
    await backend.save(pack, Buffer.from('data pack'));
    await backend.save('snapshots/1234', Buffer.from('snapshot'));
    const { BlobServiceClient } = await import('@azure/storage-blob');
    const container = BlobServiceClient.fromConnectionString(server.connectionString).getContainerClient(`t${process.pid}-${count}`);
    assert.equal((await container.getBlobClient(pack).getProperties()).accessTier, 'Cool');
    assert.notEqual((await container.getBlobClient('snapshots/1234').getProperties()).accessTier, 'Cool');
  });

  test('bytes damaged on the way up are refused by the service (Content-MD5) and nothing is stored', async () => {
    const proxy = await startDamagingProxy(new URL(server.blobEndpoint));
    try {
      const container = `t${process.pid}-${(count += 1)}`;
      await server.createContainer(container);
      const damaged = await openOn({
        container, credential: { kind: 'shared-key', account: server.account, key: server.key }, endpoint: `${proxy.url}/${server.account}`,
      });
      await assert.rejects(damaged.save('keys/k1', Buffer.from('a key file, damaged in transit')), (error: unknown) => {
        assert.ok(error instanceof BackendError && error.transient, String(error));
        assert.match(error.message, /^save keys\/k1: Md5Mismatch \(HTTP 400\)/);
        return true;
      });
      assert.ok(proxy.damaged() > 0, 'the proxy damaged an upload');
      const direct = await openOn({ container });
      await assert.rejects(direct.stat('keys/k1'), NotFoundError);
    } finally {
      await proxy.close();
    }
  });

  test('a shared key and a SAS token work; a SAS with read, create and list only can add but never delete', async () => {
    const container = `t${process.pid}-${(count += 1)}`;
    await server.createContainer(container);
    const withKey = await openOn({ container, credential: { kind: 'shared-key', account: server.account, key: server.key }, endpoint: server.blobEndpoint });
    await withKey.save('config', Buffer.from('by key'));
    const token = await createOnlySas(server, container);
    const withSas = await openOn({ container, credential: { kind: 'sas', account: server.account, token }, endpoint: server.blobEndpoint });
    assert.equal((await withSas.load('config')).toString(), 'by key');
    assert.equal(await withSas.save('index/1', Buffer.from('by sas')), 'saved');
    assert.equal(await withSas.save('config', Buffer.from('overwrite?')), 'exists');
    await assert.rejects(withSas.remove('index/1'), (error: unknown) => permanent(error, /remove index\/1 in container .*: access denied/));
    assert.equal((await withKey.load('config')).toString(), 'by key');
  });

  test('a wrong account key and a missing container are permanent errors that say so', async () => {
    const wrongKey = Buffer.alloc(64, 7).toString('base64');
    const wrong = await openOn({ credential: { kind: 'shared-key', account: server.account, key: wrongKey }, endpoint: server.blobEndpoint });
    await assert.rejects(wrong.load('config'), (error: unknown) => permanent(error, /load config in container "t\d+-\d+": (authentication failed: the account key or SAS token is wrong|access denied: the credentials are wrong)/));
    await assert.rejects(wrong.stat('config'), (error: unknown) => permanent(error, /authentication failed|access denied: the credentials are wrong/));
    const missing = await openOn({ container: 'no-such-container' });
    await assert.rejects(missing.save('config', Buffer.from('x')), (error: unknown) => permanent(error, /container "no-such-container" does not exist at http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1; create it first/));
    await assert.rejects(async () => {
      for await (const _ of missing.list('keys/')) assert.fail('listed a missing container');
    }, (error: unknown) => permanent(error, /container "no-such-container" does not exist/));
  });

  test('plain http to a host that is not loopback is refused unless allowed', async () => {
    const credential: AzureCredential = { kind: 'shared-key', account: 'acct', key: server.key };
    await assert.rejects(openAzureBackend({ container: 'c1c', prefix: '', location: 'azure:c1c', credential, endpoint: 'http://blob.example.com/acct' }),
      /plain http to blob\.example\.com refused/);
    await openAzureBackend({ container: 'c1c', prefix: '', location: 'azure:c1c', credential, endpoint: 'http://blob.example.com/acct', insecureHttp: true });
    await openAzureBackend({ container: 'c1c', prefix: '', location: 'azure:c1c', credential: { kind: 'shared-key', account: 'acct', key: server.key } });
  });
});

function permanent(error: unknown, message: RegExp): boolean {
  assert.ok(error instanceof BackendError, `expected BackendError, got ${String(error)}`);
  assert.equal(error.transient, false, error.message);
  assert.match(error.message, message);
  return true;
}

/** A container SAS allowing read, create and list: what a create-and-read-only host gets (docs/backends.md). */
async function createOnlySas(server: AzuriteServer, container: string): Promise<string> {
  const sdk = await import('@azure/storage-blob');
  return sdk.generateBlobSASQueryParameters({
    containerName: container,
    permissions: sdk.ContainerSASPermissions.parse('rcl'),
    expiresOn: new Date(Date.now() + 3_600_000),
  }, new sdk.StorageSharedKeyCredential(server.account, server.key)).toString();
}

/** An HTTP proxy to `target` that flips one bit in the body of every PUT, as a faulty network path would. */
async function startDamagingProxy(target: URL): Promise<{ url: string; damaged: () => number; close: () => Promise<void> }> {
  let damaged = 0;
  const proxy: Server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const body = Buffer.concat(chunks);
      if (incoming.method === 'PUT' && body.length > 0) {
        body[body.length >> 1] = body[body.length >> 1]! ^ 0x01;
        damaged += 1;
      }
      const forward = request({ host: target.hostname, port: target.port, method: incoming.method, path: incoming.url, headers: incoming.headers }, (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      });
      forward.on('error', () => outgoing.destroy());
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const { port } = proxy.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    damaged: () => damaged,
    close: () => new Promise((resolve) => {
      proxy.closeAllConnections();
      proxy.close(() => resolve());
    }),
  };
}
