/**
 * Tree blobs and content lists (docs/format.md "Trees"). A tree blob is
 * UTF-8 JSON `{"nodes": [node, ...]}`, nodes sorted by the bytes of their
 * names, names unique; a content list is `{"content": [id, ...]}` of at most
 * 8192 ids. Encoding validates with the decoder's own checks, so coffer never
 * writes a tree it would refuse to read.
 */
import { Buffer } from 'node:buffer';
import { FormatError } from '../errors.js';
import type { BlobId } from './ids.js';
import { encodeJson, JsonFields, parseJson } from './json-fields.js';
import { MAX_CONTENT_IDS_PER_NODE, nodeFromJson, nodeToJson, type TreeNode } from './tree-node.js';

/** Pages of a directory hold at most this many bytes of JSON. */
export const MAX_TREE_PAGE_BYTES = 4 * 1024 * 1024;

/** A decoded tree blob (one page of a directory). */
export interface Tree {
  readonly nodes: readonly TreeNode[];
}

/** A decoded content list: part of a large file's data blob ids, in order. */
export interface ContentList {
  readonly content: readonly BlobId[];
}

const PAGE_START = '{"nodes":[';
const PAGE_END = ']}';

/** The JSON text of each node, sorted by name; throws on a duplicate or invalid node. */
function encodeNodes(nodes: readonly TreeNode[]): string[] {
  const sorted = nodes.slice().sort((a, b) => Buffer.compare(a.name, b.name));
  return sorted.map((node, i) => {
    const previous = sorted[i - 1];
    if (previous !== undefined && previous.name.equals(node.name)) {
      throw new FormatError(`tree: duplicate name ${JSON.stringify(node.name.toString())}`);
    }
    const json = nodeToJson(node);
    nodeFromJson(json, i);
    return JSON.stringify(json);
  });
}

/** The tree blob of `nodes` (in any order; they are sorted by name). */
export function encodeTree(nodes: readonly TreeNode[]): Buffer {
  return Buffer.from(`${PAGE_START}${encodeNodes(nodes).join(',')}${PAGE_END}`, 'utf8');
}

/**
 * A directory's nodes as one or more tree blobs of at most `maxPageBytes`
 * bytes each, in name order (an empty directory is one empty page).
 */
export function paginateTree(nodes: readonly TreeNode[], maxPageBytes = MAX_TREE_PAGE_BYTES): Buffer[] {
  const overhead = PAGE_START.length + PAGE_END.length;
  const pages: Buffer[] = [];
  let page: string[] = [];
  let pageBytes = overhead;
  for (const text of encodeNodes(nodes)) {
    const bytes = Buffer.byteLength(text, 'utf8');
    if (overhead + bytes > maxPageBytes) {
      throw new FormatError(`tree: a node of ${bytes} bytes does not fit in a page of ${maxPageBytes} bytes`);
    }
    const added = (page.length > 0 ? 1 : 0) + bytes;
    if (pageBytes + added > maxPageBytes) {
      pages.push(Buffer.from(`${PAGE_START}${page.join(',')}${PAGE_END}`, 'utf8'));
      page = [];
      pageBytes = overhead;
    }
    pageBytes += (page.length > 0 ? 1 : 0) + bytes;
    page.push(text);
  }
  pages.push(Buffer.from(`${PAGE_START}${page.join(',')}${PAGE_END}`, 'utf8'));
  return pages;
}

/** Decodes and validates a tree blob: every node, and names strictly ascending (so unique). */
export function decodeTree(bytes: Uint8Array): Tree {
  const f = JsonFields.of(parseJson(bytes, 'tree'), 'tree', ['nodes']);
  const nodes = f.array('nodes').map((value, i) => nodeFromJson(value, i));
  for (let i = 1; i < nodes.length; i++) {
    const order = Buffer.compare((nodes[i - 1] as TreeNode).name, (nodes[i] as TreeNode).name);
    if (order === 0) throw new FormatError(`tree: node ${i}: duplicate name`);
    if (order > 0) throw new FormatError(`tree: node ${i}: nodes are not sorted by name`);
  }
  return { nodes };
}

/** `{"content": [id, ...]}`, at most 8192 ids. */
export function encodeContentList(content: readonly BlobId[]): Buffer {
  const json = { content };
  decodeContentListJson(json);
  return encodeJson(json);
}

/** Decodes and validates a content list. */
export function decodeContentList(bytes: Uint8Array): ContentList {
  return decodeContentListJson(parseJson(bytes, 'content list'));
}

function decodeContentListJson(value: unknown): ContentList {
  const f = JsonFields.of(value, 'content list', ['content']);
  return { content: f.ids('content', 'blob', MAX_CONTENT_IDS_PER_NODE) };
}
