/**
 * Real local storage servers for tests and benchmarks, started from the
 * packages in node_modules: s3rver for S3 and Azurite for Azure Blob. Each
 * runs as a child process on a free port with its data in a temporary
 * directory (or memory), and dies with its parent even if the parent is
 * killed (it exits when its stdin closes). A server that does not start
 * rejects the promise: callers fail, they never skip.
 *
 * ```ts
 * const s3 = await startS3rver();
 * const backend = openBackendStack(s3.location('repo'), { s3: { credentials: s3.credentials } });
 * ...
 * await s3.stop();
 * ```
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';

const require = createRequire(import.meta.url);

/** Makes a child exit when its stdin reaches end-of-file, that is, when the parent is gone. */
const EXIT_WITH_PARENT = `data:text/javascript,${encodeURIComponent(
  "process.stdin.on('end', () => process.exit(0)).on('error', () => process.exit(0)).resume();",
)}`;

/** How long a server may take to say it listens. */
const START_TIMEOUT_MS = 20_000;

export interface TestServer {
  /** Stops the server and removes its data; idempotent. */
  stop(): Promise<void>;
}

export interface S3rverServer extends TestServer {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  /** The bucket created at start. */
  readonly bucket: string;
  /** s3rver's built-in key pair. */
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** AWS_* variables for the CLI (credentials, region, no instance metadata lookups). */
  readonly env: Readonly<Record<string, string>>;
  /** `s3:http://127.0.0.1:<port>/<bucket>[/<prefix>]` */
  location(prefix?: string): string;
}

/** Starts s3rver with one bucket (`coffer-test` unless named). */
export async function startS3rver(options: { readonly bucket?: string } = {}): Promise<S3rverServer> {
  const bucket = options.bucket ?? 'coffer-test';
  const directory = await mkdtemp(path.join(memoryBackedTmp(), 'coffer-s3rver-'));
  const bin = require.resolve('s3rver/bin/s3rver.js');
  // Without the legacy provider, s3rver's continuation tokens (an old cipher) fail and so does list pagination.
  const { child, match } = await startChild(
    's3rver', [bin, '-d', directory, '-a', '127.0.0.1', '-p', '0', '--silent', '--configure-bucket', bucket],
    { NODE_OPTIONS: '--openssl-legacy-provider' }, directory, /listening on ([\d.]+):(\d+)/,
  ).catch(async (error: unknown) => {
    await rm(directory, { recursive: true, force: true });
    throw error;
  });
  const endpoint = `http://${match[1]}:${match[2]}`;
  const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
  return {
    endpoint, bucket, credentials,
    env: {
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_REGION: 'us-east-1',
      AWS_EC2_METADATA_DISABLED: 'true',
    },
    location: (prefix) => `s3:${endpoint}/${bucket}${prefix ? `/${prefix}` : ''}`,
    stop: onceOnly(async () => {
      await stopChild(child);
      await rm(directory, { recursive: true, force: true });
    }),
  };
}

export interface AzuriteServer extends TestServer {
  /** `http://127.0.0.1:<port>/devstoreaccount1`: the blob service URL. */
  readonly blobEndpoint: string;
  readonly account: string;
  /** Azurite's well-known development key (public, not a secret). */
  readonly key: string;
  readonly connectionString: string;
  /** Creates a container (through the SDK). */
  createContainer(name: string): Promise<void>;
}

const AZURITE_ACCOUNT = 'devstoreaccount1';
const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

/** Starts Azurite's blob service, keeping blobs in memory. */
export async function startAzurite(): Promise<AzuriteServer> {
  const directory = await mkdtemp(path.join(tmpdir(), 'coffer-azurite-'));
  const bin = path.join(path.dirname(require.resolve('azurite/package.json')), 'dist', 'src', 'blob', 'main.js');
  const { child, match } = await startChild('azurite', [
    bin, '--blobHost', '127.0.0.1', '--blobPort', '0', '--inMemoryPersistence', '--extentMemoryLimit', '512',
    '--skipApiVersionCheck', '--disableTelemetry', '--loose',
  ], {}, directory, /successfully listens on (http:\/\/[\d.]+:\d+)/).catch(async (error: unknown) => {
    await rm(directory, { recursive: true, force: true });
    throw error;
  });
  const blobEndpoint = `${match[1]}/${AZURITE_ACCOUNT}`;
  const connectionString = `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};BlobEndpoint=${blobEndpoint};`;
  return {
    blobEndpoint, account: AZURITE_ACCOUNT, key: AZURITE_KEY, connectionString,
    async createContainer(name) {
      const { BlobServiceClient } = await import('@azure/storage-blob');
      await BlobServiceClient.fromConnectionString(connectionString).getContainerClient(name).create();
    },
    stop: onceOnly(async () => {
      await stopChild(child);
      await rm(directory, { recursive: true, force: true });
    }),
  };
}

/** Spawns `node args`, resolving once stdout or stderr matches `ready`; rejects with the output if it exits or stalls first. */
function startChild(
  what: string, args: readonly string[], env: Readonly<Record<string, string>>, cwd: string, ready: RegExp,
): Promise<{ child: ChildProcess; match: RegExpExecArray }> {
  const child = spawn(process.execPath, ['--import', EXIT_WITH_PARENT, ...args], {
    cwd, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'],
  });
  // If this process ends without stopping the server, take it along (stdin closing also does).
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.removeListener('exit', killOnExit));
  return new Promise((resolve, reject) => {
    let output = '';
    let settled = false;
    const fail = (reason: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${what} did not start: ${reason}\n${output.slice(-2000)}`));
    };
    const timer = setTimeout(() => fail(`no "listening" line within ${START_TIMEOUT_MS / 1000}s`), START_TIMEOUT_MS);
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const match = ready.exec(output);
      if (!match || settled) return;
      settled = true;
      clearTimeout(timer);
      child.stdout?.removeListener('data', onData);
      child.stderr?.removeListener('data', onData);
      // Keep draining, so a chatty server never blocks on a full pipe.
      child.stdout?.resume();
      child.stderr?.resume();
      resolve({ child, match });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('error', (error) => fail(error.message));
    child.once('exit', (code, signal) => fail(`exited with ${code ?? signal}`));
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

/** s3rver keeps objects in files: on Linux, a tmpfs spares the disk (and the test's time) thousands of small writes. */
function memoryBackedTmp(): string {
  return process.platform === 'linux' && existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
}

function onceOnly(task: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => (running ??= task());
}
