/** Worker thread body of CompressPool: compresses blobs off the main thread. */
import { parentPort, workerData } from 'node:worker_threads';
import { ZstdCodec } from './zstd.js';
import type { CompressReply, CompressRequest } from './compress-pool.js';

const codec = new ZstdCodec((workerData as { level: number }).level);
parentPort!.on('message', (request: CompressRequest) => {
  const compressed = codec.compressIfWorthwhile(request.data);
  const reply: CompressReply = { id: request.id, data: request.data, compressed };
  const transfer: ArrayBuffer[] = [];
  if (ownsBuffer(request.data)) transfer.push(request.data.buffer as ArrayBuffer);
  if (compressed) transfer.push(compressed.buffer as ArrayBuffer);
  parentPort!.postMessage(reply, transfer);
});

function ownsBuffer(view: Uint8Array): boolean {
  return view.byteOffset === 0 && view.byteLength === view.buffer.byteLength;
}
