import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BackendError } from '../errors.js';
import { AppendOnlyBackend } from './append-only.js';
import { MemoryBackend } from './memory.js';

test('AppendOnlyBackend creates and reads, refuses to remove or overwrite, and counts refusals', async () => {
  const inner = new MemoryBackend();
  const backend = new AppendOnlyBackend(inner);
  assert.equal(await backend.save('keys/a', Buffer.from('one')), 'saved');
  assert.deepEqual(await backend.load('keys/a'), Buffer.from('one'));
  assert.equal((await backend.stat('keys/a')).size, 3);
  const listed = [];
  for await (const object of backend.list('keys/')) listed.push(object.name);
  assert.deepEqual(listed, ['keys/a']);

  const permanent = (e: unknown) => e instanceof BackendError && !e.transient;
  await assert.rejects(backend.save('keys/a', Buffer.from('two')), permanent);
  await assert.rejects(backend.remove('keys/a'), permanent);
  assert.deepEqual(await inner.load('keys/a'), Buffer.from('one'), 'the object is untouched');
  assert.deepEqual(backend.refused, ['overwrite keys/a', 'remove keys/a']);
});
