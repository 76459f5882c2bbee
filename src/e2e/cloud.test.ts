/**
 * The CLI against real cloud storage servers started here from
 * node_modules: s3rver for S3, Azurite for Azure Blob. init, backup, restore
 * and check --read-data work on both; they still work while the storage
 * fails, times out, loses responses and hands back truncated or corrupted
 * bytes (COFFER_FAULTS), and damaged bytes are detected and never used. Bad
 * configuration gives a clear message and exit code. If a server cannot
 * start, every test here fails; none is skipped.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { Backend, LoadOptions, OperationOptions } from '../backend/backend.js';
import { openS3Backend } from '../backend/s3.js';
import { parseLocation } from '../backend/location.js';
import { RetryBackend } from '../backend/retry.js';
import { startAzurite, startS3rver } from '../backend/testing-servers.js';
import { check } from '../checker/checker.js';
import { IntegrityError } from '../errors.js';
import { BlobType, type BlobId } from '../format/index.js';
import { LOAD_ATTEMPTS } from '../repository/load-verified.js';
import { openRepository } from '../repository/index.js';
import { makeTree, readTree, withTempDir } from '../source/testing.js';
import {
  COFFER_BIN, Coffer, describeRun, hasStackTrace, pseudoRandomBytes, restoredPath, runCli, toMicroseconds, type RunResult,
} from './testing.js';

const MiB = 1024 * 1024;
const servers = Promise.all([startS3rver(), startAzurite()]);
servers.catch(() => undefined); // every test awaits it and fails if a server did not start
after(async () => {
  const started = await servers.catch(() => undefined);
  await Promise.all((started ?? []).map((server) => server.stop()));
});

interface Target {
  readonly name: string;
  /** A fresh, empty repository location and the environment that reaches it. */
  repository(): Promise<{ repo: string; env: Record<string, string> }>;
}

let repositories = 0;
const targets: Target[] = [
  {
    name: 'S3 (s3rver)',
    async repository() {
      const [s3] = await servers;
      return { repo: s3.location(`e2e/${process.pid}-${(repositories += 1)}`), env: { ...s3.env } };
    },
  },
  {
    name: 'Azure (Azurite)',
    async repository() {
      const [, azurite] = await servers;
      const container = `e2e-${process.pid}-${(repositories += 1)}`;
      await azurite.createContainer(container);
      return { repo: `azure:${container}/repo`, env: { AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString } };
    },
  },
];

/** A few MiB in several packs (small chunks), some small files, an empty one. */
async function makeSource(base: string): Promise<string> {
  const source = join(base, 'source');
  await makeTree(source, {
    'big.bin': pseudoRandomBytes('cloud big', 3 * MiB),
    'docs': { 'a.txt': 'first document\n'.repeat(500), 'b.txt': pseudoRandomBytes('cloud small', 70_000) },
    'empty': '',
  });
  return source;
}

async function assertRestored(coffer: Coffer, source: string, target: string, env: Record<string, string> = {}): Promise<RunResult> {
  const result = await coffer.ok(['restore', 'latest', '--target', target], { env });
  assert.deepEqual(toMicroseconds(await readTree(restoredPath(target, source))), toMicroseconds(await readTree(source)), 'restored tree');
  return result;
}

for (const target of targets) {
  describe(`CLI on ${target.name}`, () => {
    test('init, backup, a second backup that adds only metadata, restore, check --read-data', { timeout: 120_000 }, async () => {
      await withTempDir(async (base) => {
        const { repo, env } = await target.repository();
        const source = await makeSource(base);
        const coffer = await Coffer.init(base, { smallChunks: true, repo, env });
        const first = await coffer.backup([source]);
        assert.ok(first.packsAdded >= 3, `several packs: ${first.packsAdded}`);
        const second = await coffer.backup([source]);
        assert.equal(second.filesUnchanged, 4, 'every file unchanged the second time');
        assert.ok(second.bytesAdded < 64 * 1024, `the second time only metadata is added: ${second.bytesAdded} bytes`);
        await assertRestored(coffer, source, join(base, 'restored'));
        const checked = await coffer.check(true);
        assert.ok(!hasStackTrace(checked.stderr), describeRun(checked));
      });
    });

    test('under injected faults, backup completes, check --read-data passes and restore is exact; damaged reads are detected', { timeout: 180_000 }, async () => {
      await withTempDir(async (base) => {
        const { repo, env } = await target.repository();
        const source = await makeSource(base);
        const coffer = await Coffer.init(base, { smallChunks: true, repo, env });
        // Rates are high, so that every kind surely shows up; no operation on one object fails more than 3 times in a row.
        const backup = await coffer.ok(['backup', '--json', source], { env: { COFFER_FAULTS: '11:0.6' } });
        assert.match(backup.stderr, /injected fault: (error|timeout|lost-response) during save/, describeRun(backup));
        // Most loads come back truncated or corrupted; check must see through all of it.
        const checked = await coffer.ok(['check', '--read-data'], { env: { COFFER_FAULTS: '12:0.8:corrupt,truncate' } });
        const restored = await assertRestored(coffer, source, join(base, 'restored'), { COFFER_FAULTS: '13:0.6' });
        const loads = `${checked.stderr}\n${restored.stderr}`;
        for (const kind of ['corrupt', 'truncate']) assert.match(loads, new RegExp(`injected fault: ${kind} during load`), `${kind}\n${loads}`);
        assert.match(loads, /injected fault: (corrupt|truncate) during load data\//, loads);
      });
    });
  });
}

/** Hands out data packs with one bit flipped, every time: what a consistently damaging path would do. */
class DamagingDataPacks implements Backend {
  readonly dataLoads = new Map<string, number>();
  constructor(private readonly inner: Backend) {}
  get location(): string {
    return this.inner.location;
  }
  async load(name: string, options?: LoadOptions): Promise<Buffer> {
    const bytes = await this.inner.load(name, options);
    if (!name.startsWith('data/')) return bytes;
    this.dataLoads.set(name, (this.dataLoads.get(name) ?? 0) + 1);
    const damaged = Buffer.from(bytes);
    damaged[damaged.length >> 1] = damaged[damaged.length >> 1]! ^ 0x10;
    return damaged;
  }
  save(name: string, data: Uint8Array, options?: OperationOptions) {
    return this.inner.save(name, data, options);
  }
  stat(name: string, options?: OperationOptions) {
    return this.inner.stat(name, options);
  }
  list(prefix: string, options?: OperationOptions) {
    return this.inner.list(prefix, options);
  }
  remove(name: string, options?: OperationOptions) {
    return this.inner.remove(name, options);
  }
  close() {
    return this.inner.close();
  }
}

test('S3: data packs that always arrive damaged are reported by check and never opened', { timeout: 120_000 }, async () => {
  await withTempDir(async (base) => {
    const [s3] = await servers;
    const { repo, env } = await targets[0]!.repository();
    const source = await makeSource(base);
    const coffer = await Coffer.init(base, { smallChunks: true, repo, env });
    await coffer.backup([source]);
    const location = parseLocation(repo);
    assert.ok(location.kind === 's3');
    const s3Backend = await openS3Backend({ ...location, location: repo, credentials: s3.credentials, region: 'us-east-1' });
    const damaging = new DamagingDataPacks(s3Backend);
    try {
      const { repository } = await openRepository(new RetryBackend(damaging), coffer.password);
      const result = await check(repository, { readData: true });
      const damagedPacks = result.problems.filter((p) => /^data pack [0-9a-f]{8}: content does not match its name/.test(p.message));
      assert.ok(damagedPacks.length >= 3, `every data pack is reported: ${JSON.stringify(result.problems)}`);
      assert.equal(result.blobsRead > 0, true, 'tree blobs were read');
      for (const [name, loads] of damaging.dataLoads) assert.equal(loads, LOAD_ATTEMPTS, `${name} was downloaded ${LOAD_ATTEMPTS} times, then reported`);
      // A blob of a damaged pack is never handed out.
      const [entry] = [...repository.index.entries()].filter(([, location]) => location.type === BlobType.data);
      assert.ok(entry);
      await assert.rejects(repository.loadDataBlob(Buffer.from(entry[0]).toString('hex') as BlobId), IntegrityError);
    } finally {
      await s3Backend.close();
    }
  });
});

describe('bad configuration: a clear message and exit code, no stack trace', () => {
  /** Runs `coffer -r repo snapshots` with only `env` and a passphrase. */
  async function snapshots(repo: string, env: Record<string, string>, args: readonly string[] = []): Promise<RunResult> {
    return withTempDir((home) => runCli([COFFER_BIN, '-r', repo, ...args, 'snapshots'], {
      PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: home, COFFER_PASSWORD: 'irrelevant', AWS_EC2_METADATA_DISABLED: 'true', ...env,
    }));
  }

  test('each misconfiguration against the real servers', { timeout: 120_000 }, async () => {
    const [s3, azurite] = await servers;
    const container = `cfg-${process.pid}`;
    await azurite.createContainer(container);
    const cases: [string, Promise<RunResult>, number, RegExp][] = [
      ['unknown scheme', snapshots('ftp://host/x', {}), 2, /repository ftp:\/\/host\/x: unknown scheme "ftp:"/],
      ['plain http to a remote host', snapshots('s3:http://storage.example.com/b', s3.env), 2, /plain http to storage\.example\.com refused; use https, or --insecure-http/],
      ['S3 without credentials', snapshots(s3.location('cfg'), { AWS_REGION: 'us-east-1' }), 1, /no S3 credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/],
      ['Azure without an account', snapshots(`azure:${container}`, {}), 2, /no Azure account: set AZURE_STORAGE_ACCOUNT/],
      ['S3 with an unknown access key', snapshots(s3.location('cfg'), { ...s3.env, AWS_ACCESS_KEY_ID: 'NOBODY' }), 1, /the access key is not known to the service/],
      ['Azure with a wrong account key', snapshots(`azure:${container}`, {
        AZURE_STORAGE_ACCOUNT: azurite.account, AZURE_STORAGE_KEY: Buffer.alloc(64, 1).toString('base64'), AZURE_STORAGE_BLOB_ENDPOINT: azurite.blobEndpoint,
      }), 1, /access denied: the credentials are wrong/],
      ['a missing bucket', snapshots(`s3:${s3.endpoint}/no-such-bucket`, s3.env), 1, /bucket "no-such-bucket" does not exist at s3:http:\/\/127\.0\.0\.1:\d+; create it first/],
      ['a missing container', snapshots('azure:no-such-container', { AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString }), 1,
        /container "no-such-container" does not exist at http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1; create it first/],
      ['an unreachable endpoint', snapshots('s3:http://127.0.0.1:9/bucket', s3.env), 1, /cannot reach s3:http:\/\/127\.0\.0\.1:9: connection refused \(not retried/],
      ['a bad limit', snapshots(s3.location('cfg'), s3.env, ['--limit-upload', '0']), 2, /--limit-upload 0: expected a rate in KiB\/s/],
    ];
    for (const [what, running, code, message] of cases) {
      const result = await running;
      assert.equal(result.code, code, `${what}\n${describeRun(result)}`);
      assert.match(result.stderr, message, `${what}\n${describeRun(result)}`);
      assert.ok(!hasStackTrace(result.stderr), `${what}: no stack trace\n${describeRun(result)}`);
      assert.equal(result.stderr.trim().split('\n').length, 1, `${what}: one line\n${describeRun(result)}`);
    }
  });
});
