import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { FormatError } from '../errors.js';
import {
  decodeContentList, decodeTree, encodeContentList, encodeTree, MAX_CONTENT_IDS_PER_NODE, paginateTree,
  type BlobId, type TreeNode,
} from './index.js';
import { someBlobId, sortedNodes, treeNode, treeNodes } from './testing.js';

const fifo = (name: string | Buffer): TreeNode => ({
  name: Buffer.isBuffer(name) ? name : Buffer.from(name), type: 'fifo', mode: 0o600, uid: 0, gid: 0, mtime: 0n,
});

describe('tree', () => {
  test('decode(encode(nodes)) = nodes sorted by name, and encoding is canonical', () => {
    fc.assert(fc.property(treeNodes, (nodes) => {
      const bytes = encodeTree(nodes);
      const tree = decodeTree(bytes);
      assert.deepEqual(tree.nodes, sortedNodes(nodes));
      assert.deepEqual(encodeTree(tree.nodes), bytes);
      assert.deepEqual(encodeTree(nodes.slice().reverse()), bytes, 'input order does not matter');
    }), { numRuns: 200 });
  });

  test('names that are not utf-8 are written as nameBytes, targets likewise', () => {
    const nodes: TreeNode[] = [
      { ...fifo(Buffer.from([0xff, 0x41])) },
      { name: Buffer.from('l'), type: 'symlink', mode: 0o777, uid: 0, gid: 0, mtime: 1n, target: Buffer.from([0x2e, 0x2f, 0xc3]) },
    ];
    const json = JSON.parse(encodeTree(nodes).toString('utf8')) as { nodes: Record<string, unknown>[] };
    assert.deepEqual(json.nodes.map((n) => Object.keys(n)), [
      ['name', 'type', 'mode', 'uid', 'gid', 'mtime', 'targetBytes'],
      ['nameBytes', 'type', 'mode', 'uid', 'gid', 'mtime'],
    ]);
    assert.equal(json.nodes[1]?.nameBytes, '/0E=');
    assert.equal(json.nodes[0]?.targetBytes, 'Li/D');
  });

  test('keys appear in the spec\'s order', () => {
    const node: TreeNode = {
      name: Buffer.from('f'), type: 'file', mode: 0o644, uid: 1, gid: 2, mtime: 3n, size: 4, content: [someBlobId],
      device: '5', inode: '6', links: 7,
    };
    assert.equal(
      encodeTree([node]).toString(),
      `{"nodes":[{"name":"f","type":"file","mode":420,"uid":1,"gid":2,"mtime":"1970-01-01T00:00:00.000000003Z","size":4,"content":["${someBlobId}"],"device":"5","inode":"6","links":7}]}`,
    );
  });

  test('encode refuses what decode would refuse', () => {
    const bad: [string, TreeNode[]][] = [
      ['duplicate name', [fifo('a'), fifo('a')]],
      ['is ".."', [fifo('..')]],
      ['contains "/"', [fifo('a/b')]],
      ['is empty', [fifo('')]],
      ['size is not allowed for a fifo', [{ ...fifo('a'), size: 1 }]],
      ['is missing', [{ ...fifo('a'), type: 'file', content: [] }]],
      ['exactly one', [{ ...fifo('a'), type: 'file', size: 0, content: [], contentLists: [someBlobId] }]],
      ['contentLists must not be empty', [{ ...fifo('a'), type: 'file', size: 0, contentLists: [] }]],
      ['must be between 0 and 4095', [{ ...fifo('a'), mode: 0o10000 }]],
      ['outside the years', [{ ...fifo('a'), mtime: 10n ** 30n }]],
      ['64 lowercase hex', [{ ...fifo('a'), type: 'dir', subtree: ['x' as BlobId] }]],
      ['more than 8192', [{ ...fifo('a'), type: 'file', size: 0, content: Array<BlobId>(MAX_CONTENT_IDS_PER_NODE + 1).fill(someBlobId) }]],
      ['is missing', [{ ...fifo('a'), device: '1', links: 2 }]],
    ];
    for (const [message, nodes] of bad) {
      assert.throws(() => encodeTree(nodes), (e: unknown) => e instanceof FormatError && e.message.includes(message), message);
    }
  });

  test('decoding random json, or mutated trees, throws only FormatError', () => {
    const onlyFormatErrors = (bytes: Buffer): void => {
      try {
        decodeTree(bytes);
      } catch (error) {
        if (!(error instanceof FormatError)) throw error;
      }
    };
    fc.assert(fc.property(fc.jsonValue(), (value) => onlyFormatErrors(Buffer.from(JSON.stringify({ nodes: [value] }) ?? ''))));
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => onlyFormatErrors(Buffer.from(bytes))));
    fc.assert(fc.property(treeNodes, fc.nat(), fc.integer({ min: 1, max: 255 }), (nodes, at, xor) => {
      const bytes = encodeTree(nodes);
      const i = at % bytes.length;
      bytes[i] = (bytes[i] as number) ^ xor;
      onlyFormatErrors(bytes);
    }));
  });

  test('a single random node always round trips', () => {
    fc.assert(fc.property(treeNode, (node) => assert.deepEqual(decodeTree(encodeTree([node])).nodes, [node])));
  });
});

describe('paginateTree', () => {
  test('pages stay within the limit and hold every node once, in order', () => {
    fc.assert(fc.property(fc.uniqueArray(treeNode, { selector: (n) => n.name.toString('hex'), maxLength: 30 }), fc.integer({ min: 1200, max: 5000 }), (nodes, max) => {
      const pages = paginateTree(nodes, max);
      for (const page of pages) assert.ok(page.length <= max, `page of ${page.length} > ${max}`);
      assert.deepEqual(pages.flatMap((page) => decodeTree(page).nodes), sortedNodes(nodes));
      if (nodes.length > 0) assert.ok(pages.every((page) => decodeTree(page).nodes.length > 0));
    }));
  });

  test('fills pages up to exactly the limit, and one page is encodeTree', () => {
    const nodes = Array.from({ length: 100 }, (_, i) => fifo(`n${String(i).padStart(3, '0')}`));
    const one = encodeTree(nodes);
    assert.deepEqual(paginateTree(nodes), [one]);
    assert.deepEqual(paginateTree(nodes, one.length), [one]);
    assert.equal(paginateTree(nodes, one.length - 1).length, 2);
    assert.deepEqual(paginateTree([]), [Buffer.from('{"nodes":[]}')]);
    assert.throws(() => paginateTree(nodes, 50), /does not fit/);
  });
});

describe('content lists', () => {
  test('round trip up to 8192 ids, and no more', () => {
    fc.assert(fc.property(fc.array(fc.constantFrom(someBlobId, 'cd'.repeat(32) as BlobId), { maxLength: 50 }), (ids) => {
      assert.deepEqual(decodeContentList(encodeContentList(ids)).content, ids);
    }));
    const full = Array<BlobId>(MAX_CONTENT_IDS_PER_NODE).fill(someBlobId);
    assert.equal(decodeContentList(encodeContentList(full)).content.length, MAX_CONTENT_IDS_PER_NODE);
    assert.throws(() => encodeContentList([...full, someBlobId]), /more than 8192/);
    assert.throws(() => decodeContentList(Buffer.from(JSON.stringify({ content: [...full, someBlobId] }))), /more than 8192/);
    assert.throws(() => decodeContentList(Buffer.from('{"content":[],"x":1}')), /unknown field "x"/);
  });
});
