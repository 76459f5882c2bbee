/**
 * A backend over Amazon S3 or any S3-compatible store, through the official
 * `@aws-sdk/client-s3`, loaded only when an S3 location is used. Objects are
 * keys `<prefix>/<name>` in one bucket.
 *
 * - save-if-absent: `If-None-Match: *` on the PUT, which Amazon S3 honours
 *   atomically. Many S3-compatible servers ignore it, so for other endpoints
 *   a HEAD comes first, and saves of one name in this process run one at a
 *   time; two hosts racing on one name may then both write, which for
 *   content-addressed names stores the same bytes (docs/backends.md).
 * - integrity: every PUT carries `x-amz-checksum-sha256` (and `Content-MD5`
 *   for other endpoints, which more of them check), so the service refuses
 *   bytes damaged on the way. Downloads are verified by the repository
 *   against the object's name, not here (docs/backends.md, "Verification").
 * - bodies are Buffers with a Content-Length, never streams: a streamed body
 *   is sent as aws-chunked, which many S3-compatible stores mishandle.
 */
import { createHash } from 'node:crypto';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { S3Client, S3ClientConfig } from '@aws-sdk/client-s3';
import { BackendError, NotFoundError, throwIfAborted } from '../errors.js';
import type { Backend, ListedObject, LoadOptions, ObjectInfo, OperationOptions } from './backend.js';
import { checkRange, clampRange } from './byte-range.js';
import { NameLock } from './name-lock.js';
import { checkName, checkPrefix, isName, shortName } from './object-name.js';
import { httpStatus, mapS3Error, type S3Place } from './s3-error.js';
import { isDataPack } from './storage-tier.js';
import { checkTransport } from './transport-policy.js';

type S3Sdk = typeof import('@aws-sdk/client-s3');

export interface S3BackendOptions {
  /** An S3-compatible endpoint (path-style addressing), or undefined for Amazon S3. */
  readonly endpoint: URL | undefined;
  readonly bucket: string;
  /** Key prefix without a trailing '/', or ''. */
  readonly prefix: string;
  /** Shown as the backend's location. */
  readonly location: string;
  /** Allow plain http to a host that is not loopback. */
  readonly insecureHttp?: boolean;
  /** Storage class for data packs (STANDARD_IA, GLACIER_IR, ...); other objects use the bucket's default. */
  readonly dataStorageClass?: string;
  /** Sockets kept to the endpoint; match the concurrency limit above. */
  readonly maxSockets?: number;
  /** Region; otherwise AWS_REGION, the profile's region, or us-east-1. */
  readonly region?: string;
  /** Explicit credentials (tests); otherwise the SDK's standard chain: environment, profile, instance role. */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string; readonly sessionToken?: string };
  /** Whether the server applies If-None-Match atomically; default: only Amazon S3 is trusted to. */
  readonly conditionalWrites?: boolean;
  /** Keys per listing page (at most 1,000 on Amazon S3). */
  readonly listPageSize?: number;
}

/** Loads the SDK, resolves the region and creates the backend. Refuses plain http unless allowed. */
export async function openS3Backend(options: S3BackendOptions): Promise<S3Backend> {
  if (options.endpoint) checkTransport(options.endpoint, options.insecureHttp === true, `repository ${options.location}`);
  const sdk = await import('@aws-sdk/client-s3');
  const region = options.region ?? (await configuredRegion(sdk)) ?? 'us-east-1';
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 16 };
  const httpAgent = new HttpAgent(agentOptions);
  const httpsAgent = new HttpsAgent(agentOptions);
  const config: S3ClientConfig = {
    region,
    ...(options.credentials ? { credentials: options.credentials } : {}),
    ...(options.endpoint ? { endpoint: options.endpoint.origin, forcePathStyle: true } : { followRegionRedirects: true }),
    // We send our own checksums, and verify downloads by name above this layer: the SDK adds neither.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    // The retry layer above owns retries; the SDK's own would multiply them.
    maxAttempts: 1,
    requestHandler: { connectionTimeout: 10_000, requestTimeout: 120_000, httpAgent, httpsAgent },
  };
  const client = new sdk.S3Client(config);
  return new S3Backend(sdk, client, options, () => {
    httpAgent.destroy();
    httpsAgent.destroy();
  });
}

/** The region from AWS_REGION or the shared config file, if either sets one. */
async function configuredRegion(sdk: S3Sdk): Promise<string | undefined> {
  const probe = new sdk.S3Client({});
  try {
    return await probe.config.region();
  } catch {
    return undefined;
  } finally {
    probe.destroy();
  }
}

export class S3Backend implements Backend {
  readonly location: string;
  private readonly keyPrefix: string;
  private readonly place: S3Place;
  private readonly saves = new NameLock();
  private readonly trustConditionalWrites: boolean;

  constructor(
    private readonly sdk: S3Sdk,
    /** The SDK client, exposed so tests can watch the requests it sends. */
    readonly client: S3Client,
    private readonly options: S3BackendOptions,
    private readonly releaseSockets: () => void = () => undefined,
  ) {
    this.location = options.location;
    this.keyPrefix = options.prefix === '' ? '' : `${options.prefix}/`;
    this.place = { bucket: options.bucket, endpoint: options.endpoint ? `s3:${options.endpoint.origin}` : 'Amazon S3' };
    this.trustConditionalWrites = options.conditionalWrites ?? options.endpoint === undefined;
  }

  async save(name: string, data: Uint8Array, options?: OperationOptions): Promise<'saved' | 'exists'> {
    const signal = options?.signal;
    checkName('save', name);
    throwIfAborted(signal);
    const body = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    const storageClass = isDataPack(name) ? this.options.dataStorageClass : undefined;
    return this.saves.run(name, async () => {
      try {
        if (!this.trustConditionalWrites && (await this.exists(name, signal))) return 'exists';
        await this.client.send(new this.sdk.PutObjectCommand({
          Bucket: this.options.bucket,
          Key: this.key(name),
          Body: body,
          ContentLength: body.length,
          ContentType: 'application/octet-stream',
          ChecksumSHA256: createHash('sha256').update(body).digest('base64'),
          ...(this.options.endpoint ? { ContentMD5: createHash('md5').update(body).digest('base64') } : {}),
          IfNoneMatch: '*',
          ...(storageClass ? { StorageClass: storageClass as never } : {}),
        }), { abortSignal: signal });
        return 'saved';
      } catch (error) {
        // 412: the condition failed, so an object of that name exists.
        if (httpStatus(error) === 412) return 'exists';
        throw mapS3Error('save', name, this.place, error, signal);
      }
    });
  }

  async load(name: string, options?: LoadOptions): Promise<Buffer> {
    const signal = options?.signal;
    const range = options?.range;
    try {
      checkName('load', name);
      throwIfAborted(signal);
      if (range) {
        checkRange(name, range);
        // An empty range cannot be asked for in HTTP; the object must still exist.
        if (range.length === 0) return await this.stat(name, options).then(() => Buffer.alloc(0));
      }
      const output = await this.client.send(new this.sdk.GetObjectCommand({
        Bucket: this.options.bucket,
        Key: this.key(name),
        ...(range ? { Range: `bytes=${range.offset}-${range.offset + range.length - 1}` } : {}),
      }), { abortSignal: signal });
      const array = await output.Body!.transformToByteArray();
      const bytes = Buffer.from(array.buffer, array.byteOffset, array.byteLength);
      // A server that ignores Range sends the whole object: cut the range out here.
      if (range && output.ContentRange === undefined) {
        const { start, end } = clampRange(range, bytes.length);
        return bytes.subarray(start, end);
      }
      return bytes;
    } catch (error) {
      // 416: the range starts at or past the end, which the contract answers with no bytes.
      if (range && httpStatus(error) === 416) return Buffer.alloc(0);
      const mapped = mapS3Error('load', name, this.place, error, signal);
      // Some servers cannot serve a range of an empty object (s3rver drops the connection): ask for the size before giving up.
      if (range && mapped instanceof BackendError && mapped.transient && (await this.isPastEnd(name, range.offset, signal))) return Buffer.alloc(0);
      throw mapped;
    }
  }

  private async isPastEnd(name: string, offset: number, signal: AbortSignal | undefined): Promise<boolean> {
    try {
      return offset >= (await this.stat(name, { signal })).size;
    } catch {
      return false;
    }
  }

  async stat(name: string, options?: OperationOptions): Promise<ObjectInfo> {
    try {
      checkName('stat', name);
      throwIfAborted(options?.signal);
      const head = await this.client.send(new this.sdk.HeadObjectCommand({ Bucket: this.options.bucket, Key: this.key(name) }),
        { abortSignal: options?.signal });
      return { size: head.ContentLength ?? 0, modified: head.LastModified ?? new Date(0) };
    } catch (error) {
      throw mapS3Error('stat', name, this.place, error, options?.signal);
    }
  }

  async *list(prefix: string, options?: OperationOptions): AsyncIterable<ListedObject> {
    const signal = options?.signal;
    checkPrefix('list', prefix);
    let token: string | undefined;
    do {
      throwIfAborted(signal);
      let page;
      try {
        page = await this.client.send(new this.sdk.ListObjectsV2Command({
          Bucket: this.options.bucket,
          Prefix: this.key(prefix),
          ...(token ? { ContinuationToken: token } : {}),
          ...(this.options.listPageSize ? { MaxKeys: this.options.listPageSize } : {}),
        }), { abortSignal: signal });
      } catch (error) {
        throw mapS3Error('list', `${prefix}*`, this.place, error, signal);
      }
      for (const item of page.Contents ?? []) {
        throwIfAborted(signal);
        const name = item.Key?.slice(this.keyPrefix.length);
        // Keys that no coffer name could produce (a stray upload, a folder marker) are not objects here.
        if (name !== undefined && item.Key!.startsWith(this.keyPrefix) && isName(name)) yield { name, size: item.Size ?? 0 };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  /** S3 deletes missing keys without complaint; the contract wants NotFoundError, so look first. */
  async remove(name: string, options?: OperationOptions): Promise<void> {
    try {
      checkName('remove', name);
      throwIfAborted(options?.signal);
      if (!(await this.exists(name, options?.signal))) throw new NotFoundError(`remove ${shortName(name)}: not found`);
      await this.client.send(new this.sdk.DeleteObjectCommand({ Bucket: this.options.bucket, Key: this.key(name) }),
        { abortSignal: options?.signal });
    } catch (error) {
      throw mapS3Error('remove', name, this.place, error, options?.signal);
    }
  }

  async close(): Promise<void> {
    this.client.destroy();
    this.releaseSockets();
  }

  private key(name: string): string {
    return `${this.keyPrefix}${name}`;
  }

  private async exists(name: string, signal: AbortSignal | undefined): Promise<boolean> {
    try {
      await this.client.send(new this.sdk.HeadObjectCommand({ Bucket: this.options.bucket, Key: this.key(name) }), { abortSignal: signal });
      return true;
    } catch (error) {
      if (httpStatus(error) === 404 && !/NoSuchBucket/.test(String((error as { Code?: unknown }).Code ?? (error as Error).name))) return false;
      throw error;
    }
  }
}
