/**
 * A backend over Azure Blob Storage through the official
 * `@azure/storage-blob` (and `@azure/identity` for DefaultAzureCredential),
 * loaded only when an Azure location is used. Objects are block blobs
 * `<prefix>/<name>` in one container.
 *
 * - save-if-absent: Put Blob with `If-None-Match: *`, which the service
 *   applies atomically (409/412 when the blob exists).
 * - integrity: every Put Blob carries a transactional Content-MD5 that the
 *   service checks before storing. Downloads are verified by the repository
 *   against the object's name (docs/backends.md, "Verification").
 */
import { createHash } from 'node:crypto';
import type { BlockBlobUploadOptions, ContainerClient, StoragePipelineOptions } from '@azure/storage-blob';
import { throwIfAborted, UsageError } from '../errors.js';
import { azureErrorCode, azureStatus, mapAzureError, type AzurePlace } from './azure-error.js';
import type { Backend, ListedObject, LoadOptions, ObjectInfo, OperationOptions } from './backend.js';
import { checkRange } from './byte-range.js';
import { checkName, checkPrefix, isName } from './object-name.js';
import { isDataPack } from './storage-tier.js';
import { checkTransport } from './transport-policy.js';

/** How the backend authenticates; the CLI picks one from the environment (docs/backends.md). */
export type AzureCredential =
  | { readonly kind: 'connection-string'; readonly connectionString: string }
  | { readonly kind: 'shared-key'; readonly account: string; readonly key: string }
  | { readonly kind: 'sas'; readonly account: string; readonly token: string }
  | { readonly kind: 'default'; readonly account: string };

export interface AzureBackendOptions {
  readonly container: string;
  /** Blob name prefix without a trailing '/', or ''. */
  readonly prefix: string;
  /** Shown as the backend's location. */
  readonly location: string;
  readonly credential: AzureCredential;
  /** Blob service URL; default `https://<account>.blob.core.windows.net` (ignored with a connection string). */
  readonly endpoint?: string;
  /** Allow plain http to a host that is not loopback. */
  readonly insecureHttp?: boolean;
  /** Access tier for data packs (Hot, Cool, Cold, Archive); other blobs get the account's default. */
  readonly dataTier?: string;
  /** Blobs per listing page (at most 5,000). */
  readonly listPageSize?: number;
}

/** Loads the SDK, builds the client for the credential and creates the backend. Refuses plain http unless allowed. */
export async function openAzureBackend(options: AzureBackendOptions): Promise<AzureBackend> {
  const sdk = await import('@azure/storage-blob');
  const pipeline: StoragePipelineOptions = {
    // The retry layer above owns retries; a try that hangs is cut off and counted as a transient failure.
    retryOptions: { maxTries: 1, tryTimeoutInMs: 120_000 },
    userAgentOptions: { userAgentPrefix: 'coffer' },
  };
  const { credential } = options;
  const endpoint = (account: string) => (options.endpoint ?? `https://${account}.blob.core.windows.net`).replace(/\/+$/, '');
  let service;
  switch (credential.kind) {
    case 'connection-string':
      try {
        service = sdk.BlobServiceClient.fromConnectionString(credential.connectionString, pipeline);
      } catch (cause) {
        throw new UsageError(`repository ${options.location}: AZURE_STORAGE_CONNECTION_STRING is not a valid connection string`, { cause });
      }
      break;
    case 'shared-key':
      service = new sdk.BlobServiceClient(endpoint(credential.account), new sdk.StorageSharedKeyCredential(credential.account, credential.key), pipeline);
      break;
    case 'sas':
      service = new sdk.BlobServiceClient(`${endpoint(credential.account)}?${credential.token.replace(/^\?/, '')}`, new sdk.AnonymousCredential(), pipeline);
      break;
    case 'default': {
      const identity = await import('@azure/identity');
      service = new sdk.BlobServiceClient(endpoint(credential.account), new identity.DefaultAzureCredential(), pipeline);
      break;
    }
  }
  const url = new URL(service.url);
  checkTransport(url, options.insecureHttp === true, `repository ${options.location}`);
  return new AzureBackend(service.getContainerClient(options.container), options, `${url.origin}${url.pathname}`.replace(/\/+$/, ''));
}

export class AzureBackend implements Backend {
  readonly location: string;
  private readonly blobPrefix: string;
  private readonly place: AzurePlace;

  constructor(private readonly container: ContainerClient, private readonly options: AzureBackendOptions, endpoint: string) {
    this.location = options.location;
    this.blobPrefix = options.prefix === '' ? '' : `${options.prefix}/`;
    this.place = { container: options.container, endpoint };
  }

  async save(name: string, data: Uint8Array, options?: OperationOptions): Promise<'saved' | 'exists'> {
    const signal = options?.signal;
    try {
      checkName('save', name);
      throwIfAborted(signal);
      const body = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
      const tier = isDataPack(name) ? this.options.dataTier : undefined;
      const upload = {
        abortSignal: signal,
        conditions: { ifNoneMatch: '*' },
        blobHTTPHeaders: { blobContentType: 'application/octet-stream' },
        // Passed through to Put Blob (the SDK forwards it, though its upload type does not list it); the service checks it.
        transactionalContentMD5: createHash('md5').update(body).digest(),
        ...(tier ? { tier } : {}),
      } as BlockBlobUploadOptions;
      await this.container.getBlockBlobClient(this.key(name)).upload(body, body.length, upload);
      return 'saved';
    } catch (error) {
      // 409 BlobAlreadyExists or 412 ConditionNotMet: an object of that name exists.
      const status = azureStatus(error);
      if ((status === 409 && azureErrorCode(error) === 'BlobAlreadyExists') || status === 412) return 'exists';
      // A credential that may create but not overwrite (SAS "c", the add/action role) is refused with 403 where the blob exists.
      if (status === 403 && (await this.exists(name, signal))) return 'exists';
      throw mapAzureError('save', name, this.place, error, signal);
    }
  }

  async load(name: string, options?: LoadOptions): Promise<Buffer> {
    const signal = options?.signal;
    const range = options?.range;
    try {
      checkName('load', name);
      throwIfAborted(signal);
      const blob = this.container.getBlobClient(this.key(name));
      if (range) {
        checkRange(name, range);
        // Azure reads a count of 0 as "to the end"; an empty range only needs the blob to exist.
        if (range.length === 0) return await this.stat(name, options).then(() => Buffer.alloc(0));
      }
      const response = await blob.download(range?.offset ?? 0, range?.length, { abortSignal: signal, maxRetryRequests: 0 });
      const chunks: Buffer[] = [];
      for await (const chunk of response.readableStreamBody ?? []) chunks.push(chunk as Buffer);
      return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
    } catch (error) {
      // 416: the range starts at or past the end, which the contract answers with no bytes.
      if (range && azureStatus(error) === 416) return Buffer.alloc(0);
      throw mapAzureError('load', name, this.place, error, signal);
    }
  }

  async stat(name: string, options?: OperationOptions): Promise<ObjectInfo> {
    try {
      checkName('stat', name);
      throwIfAborted(options?.signal);
      const properties = await this.container.getBlobClient(this.key(name)).getProperties({ abortSignal: options?.signal });
      return { size: properties.contentLength ?? 0, modified: properties.lastModified ?? new Date(0) };
    } catch (error) {
      throw mapAzureError('stat', name, this.place, error, options?.signal);
    }
  }

  async *list(prefix: string, options?: OperationOptions): AsyncIterable<ListedObject> {
    const signal = options?.signal;
    checkPrefix('list', prefix);
    throwIfAborted(signal);
    const pages = this.container
      .listBlobsFlat({ prefix: this.key(prefix), abortSignal: signal })
      .byPage({ maxPageSize: this.options.listPageSize ?? 5000 });
    for (;;) {
      let page;
      try {
        page = await pages.next();
      } catch (error) {
        throw mapAzureError('list', `${prefix}*`, this.place, error, signal);
      }
      if (page.done) return;
      for (const item of page.value.segment.blobItems) {
        throwIfAborted(signal);
        const name = item.name.slice(this.blobPrefix.length);
        // Blobs that no coffer name could produce are not objects here.
        if (item.name.startsWith(this.blobPrefix) && isName(name)) yield { name, size: item.properties.contentLength ?? 0 };
      }
    }
  }

  async remove(name: string, options?: OperationOptions): Promise<void> {
    try {
      checkName('remove', name);
      throwIfAborted(options?.signal);
      await this.container.getBlobClient(this.key(name)).delete({ abortSignal: options?.signal });
    } catch (error) {
      throw mapAzureError('remove', name, this.place, error, options?.signal);
    }
  }

  async close(): Promise<void> {
    // The SDK's HTTP client keeps no state that needs releasing.
  }

  private async exists(name: string, signal: AbortSignal | undefined): Promise<boolean> {
    try {
      await this.container.getBlobClient(this.key(name)).getProperties({ abortSignal: signal });
      return true;
    } catch {
      return false;
    }
  }

  private key(name: string): string {
    return `${this.blobPrefix}${name}`;
  }
}
