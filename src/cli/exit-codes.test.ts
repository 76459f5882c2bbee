import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import {
  AbortedError,
  BackendError,
  IntegrityError,
  LockedError,
  NoRepositoryError,
  NotFoundError,
  PermissionError,
  UsageError,
  WrongPasswordError,
} from '../errors.js';
import {
  EXIT_CODES_HELP,
  EXIT_FATAL,
  EXIT_INTERRUPTED,
  EXIT_LOCKED,
  EXIT_NO_REPOSITORY,
  EXIT_OK,
  EXIT_PERMISSION,
  EXIT_SOURCES_UNREADABLE,
  EXIT_USAGE,
  EXIT_WRONG_PASSWORD,
  exitCodeFor,
} from './exit-codes.js';

test('the constants have the documented values', () => {
  assert.deepEqual(
    [EXIT_OK, EXIT_FATAL, EXIT_USAGE, EXIT_SOURCES_UNREADABLE, EXIT_NO_REPOSITORY, EXIT_LOCKED, EXIT_WRONG_PASSWORD, EXIT_PERMISSION, EXIT_INTERRUPTED],
    [0, 1, 2, 3, 10, 11, 12, 13, 130],
  );
});

test('each coffer error kind maps to its exit code', () => {
  assert.equal(exitCodeFor(new UsageError('bad flag')), 2);
  assert.equal(exitCodeFor(new NoRepositoryError('no config')), 10);
  assert.equal(exitCodeFor(new LockedError('locked')), 11);
  assert.equal(exitCodeFor(new WrongPasswordError('wrong')), 12);
  assert.equal(exitCodeFor(new PermissionError('write-only')), 13);
  assert.equal(exitCodeFor(new AbortedError()), 130);
});

test('other kinds and foreign values are fatal', () => {
  assert.equal(exitCodeFor(new NotFoundError('x')), 1);
  assert.equal(exitCodeFor(new IntegrityError('x')), 1);
  assert.equal(exitCodeFor(new BackendError('x', { transient: true })), 1);
  assert.equal(exitCodeFor(new Error('boom')), 1);
  assert.equal(exitCodeFor('a string'), 1);
  assert.equal(exitCodeFor(undefined), 1);
  assert.equal(exitCodeFor(null), 1);
  assert.equal(exitCodeFor({ code: 'ENOENT' }), 1);
});

test('an AbortSignal reason without a coffer kind counts as interrupted', () => {
  const controller = new AbortController();
  controller.abort();
  assert.equal(exitCodeFor(controller.signal.reason), 130);
});

function parseError(args: string[]): unknown {
  const program = new Command()
    .exitOverride()
    .configureOutput({ writeOut: () => {}, writeErr: () => {} })
    .option('--repo <location>')
    .version('1.0.0');
  program.command('snapshots').action(() => {});
  try {
    program.parse(args, { from: 'user' });
  } catch (error) {
    return error;
  }
  assert.fail('expected commander to throw');
}

test('commander parse errors are usage errors; --help and --version exit 0', () => {
  const unknown = parseError(['--bogus']);
  assert.ok(unknown instanceof CommanderError);
  assert.equal(exitCodeFor(unknown), 2);
  assert.equal(exitCodeFor(parseError(['--repo'])), 2);
  assert.equal(exitCodeFor(parseError(['nosuchcommand'])), 2);
  assert.equal(exitCodeFor(parseError(['--help'])), 0);
  assert.equal(exitCodeFor(parseError(['--version'])), 0);
  assert.equal(exitCodeFor(new InvalidArgumentError('not a number')), 2);
});

test('EXIT_CODES_HELP lists every code', () => {
  for (const code of [0, 1, 2, 3, 10, 11, 12, 13, 130]) {
    assert.match(EXIT_CODES_HELP, new RegExp(`^\\s+${code}\\s+\\S`, 'm'), `code ${code}`);
  }
});
