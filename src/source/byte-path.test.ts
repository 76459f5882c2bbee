import { test } from 'node:test';
import assert from 'node:assert/strict';
import { baseName, displayPath, joinPath, joinPaths, parseDisplayPath } from './byte-path.js';

const b = (text: string): Buffer => Buffer.from(text);

test('joinPath joins with one slash', () => {
  assert.deepEqual(joinPath(b('/a'), b('b')), b('/a/b'));
  assert.deepEqual(joinPath(b('/'), b('b')), b('/b'));
  assert.deepEqual(joinPath(b('/a'), Buffer.from([0xff, 0x0a])), Buffer.concat([b('/a/'), Buffer.from([0xff, 0x0a])]));
  assert.deepEqual(joinPaths(b('/r'), [b('x'), b('y')]), b('/r/x/y'));
  assert.deepEqual(joinPaths(b('/'), [b('x')]), b('/x'));
  assert.deepEqual(joinPaths(b('/r'), []), b('/r'));
});

test('baseName is the last component', () => {
  assert.deepEqual(baseName(b('/a/b/c')), b('c'));
  assert.deepEqual(baseName(b('c')), b('c'));
  assert.deepEqual(baseName(b('/a/b/')), b('b'));
  assert.deepEqual(baseName(b('/')), b('/'));
});

test('displayPath escapes control characters, backslashes and invalid UTF-8', () => {
  assert.equal(displayPath(b('/home/ünï/x.txt')), '/home/ünï/x.txt');
  assert.equal(displayPath(b('a\nb\tc')), 'a\\nb\\tc');
  assert.equal(displayPath(b('a\\b')), 'a\\\\b');
  assert.equal(displayPath(Buffer.from([0x61, 0xff, 0x62])), 'a\\xffb');
  assert.equal(displayPath(Buffer.from([0x00, 0x1b, 0x7f])), '\\x00\\x1b\\x7f');
  // valid multibyte characters around an invalid byte survive
  assert.equal(displayPath(Buffer.concat([b('é'), Buffer.from([0xc3]), b('ü\n')])), 'é\\xc3ü\\n');
  // a truncated sequence at the end
  assert.equal(displayPath(Buffer.from([0x61, 0xe2, 0x82])), 'a\\xe2\\x82');
});

test('displayPath is injective on tricky pairs', () => {
  const pairs: Array<[Buffer, Buffer]> = [
    [Buffer.from([0xff]), b('\\xff')],
    [b('\n'), b('\\n')],
    [b('a\\'), b('a\\\\')],
  ];
  for (const [x, y] of pairs) assert.notEqual(displayPath(x), displayPath(y));
});

test('parseDisplayPath reverses displayPath', () => {
  const names = [
    b('/home/ünï/x.txt'), b('a\nb\tc'), b('a\\b'), b('a\\\\n'), b('\\x41'), Buffer.from([0x61, 0xff, 0x62]),
    Buffer.from([0x00, 0x1b, 0x7f]), Buffer.concat([b('é'), Buffer.from([0xc3]), b('ü\n')]), Buffer.from([0x61, 0xe2, 0x82]),
  ];
  for (const name of names) assert.deepEqual(parseDisplayPath(displayPath(name)), name, displayPath(name));
  // what displayPath never writes is taken as typed
  assert.deepEqual(parseDisplayPath('a\\qb\\'), b('a\\qb\\'));
  assert.deepEqual(parseDisplayPath('\\x4'), b('\\x4'));
});
