export { lookupNode } from './lookup.js';
export { readDirectory, fileContent, walkTree, snapshotPath, type TreeBlobSource, type WalkEntry } from './tree-reader.js';
export { Finder, matchesCriteria, type FindCriteria, type PathMatcher } from './find.js';
export { diffTrees, type Change, type ChangeKind, type MetadataField } from './diff.js';
export { BlobSet, countTree, type BlobTotals, type IndexedBlobs, type TreeCounts } from './stats.js';
