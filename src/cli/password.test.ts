import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AbortedError, UsageError } from '../errors.js';
import {
  promptPassphrase,
  readNewPassword,
  readPassword,
  stripNewline,
  type CommandRunner,
  type PromptInput,
  type ReadPasswordOptions,
} from './password.js';
import type { TextSink } from './output.js';

// The real streams must fit the narrow interfaces.
const _stdin: PromptInput = process.stdin;
const _stderr: TextSink = process.stderr;

/** A terminal: records raw-mode switches and output; each resume() types the next scripted chunks. */
class FakeTty extends EventEmitter implements PromptInput {
  isTTY = true;
  isRaw = false;
  paused = true;
  readonly rawModes: boolean[] = [];
  constructor(private readonly script: (string | Buffer)[][] = []) {
    super();
  }
  setRawMode(mode: boolean): this {
    this.rawModes.push(mode);
    this.isRaw = mode;
    return this;
  }
  resume(): this {
    this.paused = false;
    const chunks = this.script.shift();
    if (chunks !== undefined) setImmediate(() => chunks.forEach((c) => this.emit('data', c)));
    return this;
  }
  pause(): this {
    this.paused = true;
    return this;
  }
  get readableFlowing(): boolean | null {
    return this.paused ? null : true;
  }
}

class Output {
  text = '';
  write(text: string): void {
    this.text += text;
  }
}

const noTty = { isTTY: false, on: () => {}, off: () => {}, resume: () => {}, pause: () => {} } satisfies PromptInput;
const PATH = process.env['PATH'] ?? '/usr/bin:/bin';

async function withTemp(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'coffer-password-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function base(overrides: Partial<ReadPasswordOptions> = {}): ReadPasswordOptions {
  return { env: { PATH }, stdin: noTty, stderr: new Output(), ...overrides };
}

async function usageError(promise: Promise<unknown>): Promise<UsageError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof UsageError, `expected UsageError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected a UsageError');
}

test('stripNewline strips exactly one trailing newline', () => {
  assert.equal(stripNewline('secret\n'), 'secret');
  assert.equal(stripNewline('secret\r\n'), 'secret');
  assert.equal(stripNewline('secret\n\n'), 'secret\n');
  assert.equal(stripNewline(' secret \t'), ' secret \t');
  assert.equal(stripNewline('secret\r'), 'secret\r');
});

test('password sources take precedence in the documented order', async () => {
  await withTemp(async (dir) => {
    const file = (name: string) => join(dir, name);
    for (const name of ['flag', 'env', 'profile']) await writeFile(file(name), `${name}-file\n`);
    const all: ReadPasswordOptions = base({
      passwordFile: file('flag'),
      passwordCommand: "printf 'flag-command\\n'",
      profile: { name: 'home', passwordFile: file('profile'), passwordCommand: "printf 'profile-command'" },
      env: {
        PATH,
        COFFER_PASSWORD_FILE: file('env'),
        COFFER_PASSWORD_COMMAND: "printf 'env-command\\n'",
        COFFER_PASSWORD: 'env-value',
      },
    });
    const expected = ['flag-file', 'flag-command', 'env-file', 'env-command', 'env-value', 'profile-file', 'profile-command'];
    const options: { -readonly [K in keyof ReadPasswordOptions]: ReadPasswordOptions[K] } = { ...all, env: { ...all.env } };
    for (const want of expected) {
      assert.equal(await readPassword(options), want);
      // Remove the winning source; the next one must take over.
      if (want === 'flag-file') delete options.passwordFile;
      if (want === 'flag-command') delete options.passwordCommand;
      if (want === 'env-file') delete options.env['COFFER_PASSWORD_FILE'];
      if (want === 'env-command') delete options.env['COFFER_PASSWORD_COMMAND'];
      if (want === 'env-value') delete options.env['COFFER_PASSWORD'];
      if (want === 'profile-file') options.profile = { name: 'home', passwordCommand: "printf 'profile-command'" };
    }
  });
});

test('other source names (copy\'s source repository) read their own variables and name themselves in errors', async () => {
  const names = {
    fileFlag: '--from-password-file', commandFlag: '--from-password-command',
    fileEnv: 'COFFER_FROM_PASSWORD_FILE', commandEnv: 'COFFER_FROM_PASSWORD_COMMAND', valueEnv: 'COFFER_FROM_PASSWORD',
  };
  const env = { PATH, COFFER_PASSWORD: 'target', COFFER_FROM_PASSWORD: 'source' };
  assert.equal(await readPassword(base({ names, env })), 'source');
  assert.equal(await readPassword(base({ env })), 'target');
  const missing = await usageError(readPassword(base({ names, env: { PATH, COFFER_FROM_PASSWORD_FILE: '/nonexistent/pass' } })));
  assert.match(missing.message, /\/nonexistent\/pass \(COFFER_FROM_PASSWORD_FILE\)/);
  const none = await usageError(readPassword(base({ names, env: { PATH, COFFER_PASSWORD: 'target' } })));
  assert.match(none.message, /--from-password-file, --from-password-command/);
});

test('empty environment variables count as unset', async () => {
  const options = base({ env: { PATH, COFFER_PASSWORD_FILE: '', COFFER_PASSWORD_COMMAND: '', COFFER_PASSWORD: 'v' } });
  assert.equal(await readPassword(options), 'v');
});

test('a password file keeps everything but one trailing newline', async () => {
  await withTemp(async (dir) => {
    const path = join(dir, 'pass');
    const cases: [string, string][] = [
      ['secret\n', 'secret'],
      ['secret\r\n', 'secret'],
      [' two words \n\n', ' two words \n'],
      ['no-newline', 'no-newline'],
      ['pässwörd\n', 'pässwörd'],
    ];
    for (const [content, want] of cases) {
      await writeFile(path, content);
      assert.equal(await readPassword(base({ passwordFile: path })), want, JSON.stringify(content));
    }
  });
});

test('an empty password file is a usage error', async () => {
  await withTemp(async (dir) => {
    const path = join(dir, 'empty');
    for (const content of ['', '\n', '\r\n']) {
      await writeFile(path, content);
      const error = await usageError(readPassword(base({ passwordFile: path })));
      assert.match(error.message, /is empty/);
      assert.ok(error.message.includes(path));
    }
  });
});

test('an unreadable password file is a usage error naming the file', async () => {
  await withTemp(async (dir) => {
    const missing = join(dir, 'missing');
    const error = await usageError(readPassword(base({ env: { COFFER_PASSWORD_FILE: missing } })));
    assert.ok(error.message.includes(missing));
    assert.match(error.message, /COFFER_PASSWORD_FILE/);
    const folder = await usageError(readPassword(base({ passwordFile: dir })));
    assert.ok(folder.message.includes(dir));
  });
});

test('a password file that is not UTF-8 is refused without showing its bytes', async () => {
  await withTemp(async (dir) => {
    const path = join(dir, 'latin1');
    await writeFile(path, Buffer.from([0x73, 0xe9, 0x63, 0x0a]));
    const error = await usageError(readPassword(base({ passwordFile: path })));
    assert.match(error.message, /not valid UTF-8/);
  });
});

test('a password command runs through /bin/sh with the given environment', async () => {
  const env = { PATH, SECRET_FROM_ENV: 'from env' };
  const options = base({ env, passwordCommand: 'printf "%s\\r\\n" "$SECRET_FROM_ENV" | cat' });
  assert.equal(await readPassword(options), 'from env');
});

test('a failing password command reports exit code and stderr, never stdout', async () => {
  const command = 'echo topsecret-stdout; echo "vault is sealed" >&2; echo "try again" >&2; exit 3';
  const error = await usageError(readPassword(base({ passwordCommand: command })));
  assert.match(error.message, /exited with code 3/);
  assert.match(error.message, /vault is sealed; try again/);
  assert.ok(!error.message.includes('topsecret'), error.message);
  assert.ok(!error.message.includes('echo'), 'the command itself may hold secrets');
});

test('a password command killed by a signal says so', async () => {
  const error = await usageError(readPassword(base({ passwordCommand: 'kill -TERM $$' })));
  assert.match(error.message, /killed by SIGTERM/);
});

test('a password command printing nothing is a usage error', async () => {
  for (const command of ['true', 'echo']) {
    const error = await usageError(readPassword(base({ passwordCommand: command })));
    assert.match(error.message, /empty passphrase/);
  }
});

test('the command runner is injectable and a runner failure is a usage error', async () => {
  const seen: string[] = [];
  const runner: CommandRunner = async (command) => {
    seen.push(command);
    return { exitCode: 0, signal: null, stdout: Buffer.from('injected\n'), stderr: new Uint8Array() };
  };
  assert.equal(await readPassword(base({ passwordCommand: 'pass show coffer', runCommand: runner })), 'injected');
  assert.deepEqual(seen, ['pass show coffer']);
  const broken: CommandRunner = async () => {
    throw new Error('spawn /bin/sh ENOENT');
  };
  const error = await usageError(readPassword(base({ passwordCommand: 'x', runCommand: broken })));
  assert.match(error.message, /cannot run password command/);
});

test('no source and no terminal is a usage error', async () => {
  const error = await usageError(readPassword(base()));
  assert.equal(error.message, 'no passphrase: use --password-file, --password-command or a terminal');
});

test('the prompt reads keys without echo, handles backspace and restores the terminal', async () => {
  const tty = new FakeTty();
  const out = new Output();
  const pending = promptPassphrase(tty, out, 'passphrase: ');
  assert.deepEqual(tty.rawModes, [true]);
  for (const key of ['s', 'e', 'x', '\x7f', 'c', 'r', 'e', 'x', '\b', 't', '\r']) tty.emit('data', key);
  assert.equal(await pending, 'secret');
  assert.equal(out.text, 'passphrase: \n');
  assert.deepEqual(tty.rawModes, [true, false]);
  assert.equal(tty.isRaw, false);
  assert.equal(tty.paused, true);
  assert.equal(tty.listenerCount('data'), 0);
  assert.equal(tty.listenerCount('end'), 0);
});

test('the prompt takes pasted chunks, split UTF-8, Ctrl-U and skips arrow keys', async () => {
  const tty = new FakeTty();
  const out = new Output();
  const pending = promptPassphrase(tty, out, '> ');
  const bytes = Buffer.from('pä');
  tty.emit('data', 'junk\x15');
  tty.emit('data', bytes.subarray(0, 2));
  tty.emit('data', bytes.subarray(2));
  tty.emit('data', 'ss\x1b[D\x1bOA\x1b[1;5Cw\rignored after enter');
  assert.equal(await pending, 'pässw');
  assert.equal(out.text, '> \n');
});

test('Ctrl-C at the prompt is an AbortedError and the terminal mode is restored', async () => {
  const tty = new FakeTty();
  tty.isRaw = false;
  const out = new Output();
  const pending = promptPassphrase(tty, out, 'passphrase: ');
  tty.emit('data', 'abc\x03');
  await assert.rejects(pending, AbortedError);
  assert.equal(tty.isRaw, false);
  assert.equal(tty.listenerCount('data'), 0);
  assert.ok(!out.text.includes('abc'));
});

test('the prompt restores a terminal that was already raw, and an abort signal ends it', async () => {
  const tty = new FakeTty();
  tty.isRaw = true;
  const controller = new AbortController();
  const pending = promptPassphrase(tty, new Output(), 'p: ', controller.signal);
  tty.emit('data', 'partial');
  controller.abort();
  await assert.rejects(pending, AbortedError);
  assert.deepEqual(tty.rawModes, [true, true]);
});

test('the prompt leaves a stream that was already flowing flowing', async () => {
  const tty = new FakeTty();
  tty.paused = false;
  const pending = promptPassphrase(tty, new Output(), 'p: ');
  tty.emit('data', 'x\r');
  assert.equal(await pending, 'x');
  assert.equal(tty.paused, false);
});

test('a terminal that closes mid-prompt is a usage error', async () => {
  const tty = new FakeTty();
  const pending = promptPassphrase(tty, new Output(), 'p: ');
  tty.emit('end');
  await assert.rejects(pending, UsageError);
  assert.equal(tty.rawModes.at(-1), false);
});

test('readPassword prompts on a terminal when no source is set', async () => {
  const tty = new FakeTty([['hunter2\r']]);
  const out = new Output();
  assert.equal(await readPassword(base({ stdin: tty, stderr: out })), 'hunter2');
  assert.equal(out.text, 'enter passphrase for repository: \n');
});

test('readPassword with confirm asks twice and refuses a mismatch', async () => {
  const out = new Output();
  const same = new FakeTty([['abc\r'], ['abc\r']]);
  assert.equal(await readPassword(base({ stdin: same, stderr: out, confirm: true, prompt: 'new: ' })), 'abc');
  assert.equal(out.text, 'new: \nrepeat passphrase: \n');
  const different = new FakeTty([['abc\r'], ['abd\r']]);
  const error = await usageError(readPassword(base({ stdin: different, confirm: true })));
  assert.equal(error.message, 'passphrases do not match');
});

test('an empty passphrase at the prompt is a usage error', async () => {
  const tty = new FakeTty([['x\x7f\r']]);
  const error = await usageError(readPassword(base({ stdin: tty })));
  assert.equal(error.message, 'empty passphrase');
});

test('readNewPassword: flag file, then COFFER_NEW_PASSWORD_FILE, then a confirmed prompt', async () => {
  await withTemp(async (dir) => {
    await writeFile(join(dir, 'flag'), 'new-flag\n');
    await writeFile(join(dir, 'env'), 'new-env\n');
    const env = { COFFER_NEW_PASSWORD_FILE: join(dir, 'env'), COFFER_PASSWORD: 'old' };
    const io = { stdin: noTty, stderr: new Output() };
    assert.equal(await readNewPassword({ ...io, env, newPasswordFile: join(dir, 'flag') }), 'new-flag');
    assert.equal(await readNewPassword({ ...io, env }), 'new-env');
    const error = await usageError(readNewPassword({ ...io, env: { COFFER_PASSWORD: 'old' } }));
    assert.equal(error.message, 'no new passphrase: use --new-password-file or a terminal');
    const out = new Output();
    const tty = new FakeTty([['n3w\r'], ['n3w\r']]);
    assert.equal(await readNewPassword({ env: {}, stdin: tty, stderr: out }), 'n3w');
    assert.equal(out.text, 'enter new passphrase: \nrepeat new passphrase: \n');
  });
});
