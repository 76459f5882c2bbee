/**
 * Sealing and opening packs with the real pack code (repository/
 * pack-builder.ts and pack-reader.ts): per pack an ephemeral X25519
 * exchange, HKDF, AES-256-GCM per blob, the pack's SHA-256 name; opening
 * also checks the name, decrypts the trailer and recomputes every blob id.
 * Blobs are 1 MiB of incompressible bytes stored raw, 16 to a pack (the
 * default 16 MiB pack), so this measures crypto, not zstd.
 */
import { blobIdOf, generateRawKeyPair } from '../../crypto/index.js';
import { ZstdCodec } from '../../codec/index.js';
import { BlobType } from '../../format/index.js';
import { buildPack, type BuiltPack, type PackableBlob } from '../../repository/pack-builder.js';
import { OpenedPack } from '../../repository/pack-reader.js';
import { throughput, type Throughput } from './codec-and-chunker.js';
import { medianTiming } from './timing.js';

const MiB = 2 ** 20;
const BLOBS_PER_PACK = 16;

export async function packThroughput(data: Buffer, reps: number): Promise<Throughput[]> {
  const { publicKey, privateKey } = generateRawKeyPair('x25519');
  const idKey = Buffer.alloc(32, 3);
  const blobs: PackableBlob[] = [];
  for (let at = 0; at + MiB <= data.length; at += MiB) {
    const stored = data.subarray(at, at + MiB);
    blobs.push({ id: blobIdOf(idKey, BlobType.data, stored), type: BlobType.data, compression: 0, stored, rawLength: MiB });
  }
  const bytes = blobs.length * MiB;
  let packs: BuiltPack[] = [];
  const seal = await medianTiming(reps, () => {
    packs = [];
    for (let i = 0; i < blobs.length; i += BLOBS_PER_PACK) packs.push(buildPack('data', blobs.slice(i, i + BLOBS_PER_PACK), publicKey));
  });
  const keys = { readPublicKey: publicKey, readPrivateKey: privateKey, idKeys: [idKey], maxBlobSize: 8 * MiB, packSize: 16 * MiB + MiB };
  const codec = new ZstdCodec();
  const open = await medianTiming(reps, () => {
    for (const pack of packs) {
      const opened = OpenedPack.open(pack.id, 'data', pack.bytes, keys);
      for (const entry of opened.entries) opened.openBlob(entry, codec);
    }
  });
  const note = `${BLOBS_PER_PACK} × 1 MiB raw blobs per pack`;
  return [
    throughput('seal packs (buildPack)', bytes, seal, note),
    throughput('open packs and every blob (OpenedPack)', bytes, open, `${note}, ids verified`),
  ];
}
