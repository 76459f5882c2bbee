export { lookupNode } from './lookup.js';
export { readDirectory, fileContent, walkTree, snapshotPath, type TreeBlobSource, type WalkEntry } from './tree-reader.js';
