import { encodeJsonValue } from '../json-value.js';
import { UsageError } from '../../errors.js';
import { decodeSnapshotJson } from '../../format/index.js';
import { CONFIG_NAME, decodeConfigObject, indexName, openDocument, openIndex, requireReadKey, snapshotName } from '../../repository/index.js';
import type { Context } from '../context.js';

/** Prints a decrypted, verified object as JSON, for debugging. */
export async function run(ctx: Context, kind: string, id: string | undefined): Promise<number> {
  const repository = await ctx.openReader('cat');
  const { backend, keyring } = repository;
  const needId = () => {
    if (!id || !/^[0-9a-f]{64}$/.test(id)) throw new UsageError(`cat ${kind}: give the full 64-digit id`);
    return id;
  };
  switch (kind) {
    case 'config':
      ctx.out(encodeJsonValue(decodeConfigObject(await backend.load(CONFIG_NAME), keyring)));
      return 0;
    case 'snapshot': {
      const sid = needId();
      const doc = openDocument('snapshot', sid, await backend.load(snapshotName(sid)), requireReadKey(keyring, 'cat snapshot'), keyring.readPublicKey);
      ctx.out(encodeJsonValue({ ...decodeSnapshotJson(doc.json), signatureValid: doc.signatureValid }));
      return 0;
    }
    case 'index': {
      const iid = needId();
      const opened = openIndex(iid, await backend.load(indexName(iid)), keyring.domains);
      ctx.out(encodeJsonValue({ signer: opened.signerPublicKey, domain: opened.domain.id, ...opened.payload }));
      return 0;
    }
    default:
      throw new UsageError(`cat: unknown object kind "${kind}" (config, snapshot ID, index ID)`);
  }
}
