// Key export (docs/format.md "Key export"): the printed text gives back the
// same keyring, with or without a passphrase; every single-symbol typo is
// caught by its line's checksum and located, with the fix; missing, swapped
// and repeated lines are named; a write-only key cannot be exported.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { BASE32_ALPHABET } from '../format/index.js';
import { exportKey, keyExportFingerprint, keyringFromExport, readKeyExport } from './key-export.js';
import { secretsOf } from './key-files.js';
import { generateKeyring, makeDomain, type Keyring } from './keyring.js';
import { Repository } from './repository.js';
import { CHEAP_KDF, rejectsWith, testRepository } from './testing.js';

const keyring = generateKeyring('ann@laptop');
const text = await exportKey(keyring);
const noPassphrase = () => Promise.reject(new Error('the passphrase must not be asked for'));

/** The numbered data lines of an export, with their index in the text's lines. */
function dataLines(exported: string): { index: number; line: string }[] {
  return exported.split('\n').map((line, index) => ({ index, line })).filter(({ line }) => /^\d+\s/.test(line));
}

/** The export with the symbol at `position` of data line `n` (from 0, counting symbols and the line checksum) replaced. */
function withTypo(exported: string, n: number, position: number, replacement: string): string {
  const lines = exported.split('\n');
  const { index, line } = dataLines(exported)[n]!;
  let seen = -1;
  const number = line.indexOf(' ');
  lines[index] = line.slice(0, number) + line.slice(number).replace(/[0-9A-Z]/g, (c) => (++seen === position ? replacement : c));
  return lines.join('\n');
}

function symbolsOnLine(exported: string, n: number): string {
  const line = dataLines(exported)[n]!.line;
  return line.slice(line.indexOf(' ')).replace(/\s/g, '');
}

describe('key export', () => {
  test('export then import gives the same keyring, and the text is short enough to type', async () => {
    const parsed = readKeyExport(text);
    assert.equal(parsed.repository, keyring.repositoryId.toString('hex'));
    assert.equal(parsed.protected, false);
    assert.equal(parsed.fingerprint, keyExportFingerprint(keyring));
    const restored = await keyringFromExport(parsed, noPassphrase);
    assert.deepEqual(secretsOf(restored), secretsOf(keyring));
    assert.ok(dataLines(text).length <= 12, `${dataLines(text).length} lines`);
    assert.match(text, /^coffer key export v1\nrepository [0-9a-f]{64}\nprotection none\n/);
  });

  test('lowercase, O/I/L for 0/1/1, extra spacing and comments are accepted', async () => {
    const sloppy = text.split('\n').map((line) => (/^(\d+ |checksum)/.test(line)
      ? line.replace(/(?<=^\d+ .*|checksum [^(]*)[0-9A-Z]/g, (c) => ({ '0': 'o', '1': 'l' })[c] ?? c.toLowerCase()).replace(/ {2}/g, '   ')
      : line)).join('\n').replace(/\n\n/, '\n# my note\n\n');
    assert.notEqual(sloppy, text);
    const restored = await keyringFromExport(readKeyExport(sloppy), noPassphrase);
    assert.deepEqual(secretsOf(restored), secretsOf(keyring));
  });

  test('several domains and a long signer name survive', async () => {
    const repositoryId = keyring.repositoryId;
    const wide: Keyring = {
      ...keyring,
      signer: { ...keyring.signer, name: 'über-host.example.org'.repeat(5) },
      domains: [...keyring.domains, makeDomain('servers', Buffer.alloc(32, 7), repositoryId)],
    };
    const restored = await keyringFromExport(readKeyExport(await exportKey(wide)), noPassphrase);
    assert.deepEqual(secretsOf(restored), secretsOf(wide));
  });

  test('a protected export needs its passphrase; a wrong one is WRONG_PASSWORD', async () => {
    const sealed = await exportKey(keyring, { passphrase: 'paper passphrase', kdf: CHEAP_KDF });
    assert.match(sealed, /\nprotection passphrase \(scrypt N=16384 r=8 p=1\)\n/);
    const parsed = readKeyExport(sealed);
    assert.equal(parsed.protected, true);
    assert.equal(parsed.fingerprint, keyExportFingerprint(keyring), 'the fingerprint is readable without the passphrase');
    await rejectsWith(() => keyringFromExport(parsed, async () => 'wrong'), 'WRONG_PASSWORD', 'key export');
    const restored = await keyringFromExport(parsed, async () => 'paper passphrase');
    assert.deepEqual(secretsOf(restored), secretsOf(keyring));
    assert.doesNotMatch(sealed, new RegExp(symbolsOnLine(text, 2)), 'the secrets are not in the protected text');
  });

  test('a write-only key cannot be exported', async () => {
    const writer: Keyring = { ...keyring, role: 'write-only', readPrivateKey: null, ownerPrivateKey: null };
    await rejectsWith(() => exportKey(writer), 'PERMISSION');
  });

  test('the restored keyring opens the repository it came from', async () => {
    const { repository, backend } = await testRepository();
    const restored = await keyringFromExport(readKeyExport(await exportKey(repository.keyring)), noPassphrase);
    assert.deepEqual(await Repository.loadConfig(backend, restored), repository.config);
  });
});

describe('key export typos', () => {
  test('every single-symbol typo on a line is caught, located and its fix named', () => {
    const lines = dataLines(text);
    fc.assert(fc.property(
      fc.integer({ min: 0, max: lines.length - 1 }), fc.nat(), fc.constantFrom(...BASE32_ALPHABET),
      (n, rawPosition, replacement) => {
        const symbols = symbolsOnLine(text, n);
        const position = rawPosition % symbols.length;
        fc.pre(symbols[position] !== replacement);
        let message = '';
        assert.throws(() => readKeyExport(withTypo(text, n, position, replacement)), (e: Error) => {
          message = e.message;
          return true;
        });
        assert.ok(message.includes(`line ${n + 1} does not match its checksum`), message);
        assert.doesNotMatch(message, new RegExp(`line (?!${n + 1}\\b)\\d+`), 'no other line is blamed');
        const dataLength = symbols.length - 4;
        const where = position < dataLength ? `symbol ${position + 1} (group ${Math.floor(position / 4) + 1}` : `checksum symbol ${position - dataLength + 1}`;
        if (!message.includes('several fixes')) {
          assert.ok(message.includes(`${where}`) && message.includes(`should probably be ${symbols[position]}, not ${replacement}`), message);
        }
      },
    ), { numRuns: 60 });
  });

  test('a missing, repeated or swapped line, a lost last line, and a damaged closing checksum are named', () => {
    const lines = text.split('\n');
    const data = dataLines(text);
    const drop = (i: number) => lines.filter((_, j) => j !== i).join('\n');
    assert.throws(() => readKeyExport(drop(data[3]!.index)), /line 4 is missing/);
    assert.throws(() => readKeyExport(drop(data[data.length - 1]!.index)), new RegExp(`line ${data.length} is missing`));
    const repeated = [...lines];
    repeated.splice(data[2]!.index, 0, data[2]!.line);
    assert.throws(() => readKeyExport(repeated.join('\n')), /line 3 appears twice/);
    const swapped = [...lines];
    const renumber = (line: string, n: number) => `${String(n).padStart(2, '0')}${line.slice(line.indexOf(' '))}`;
    swapped[data[1]!.index] = renumber(data[2]!.line, 2);
    swapped[data[2]!.index] = renumber(data[1]!.line, 3);
    assert.throws(() => readKeyExport(swapped.join('\n')), /line 2 does not match its checksum.*line 3 does not match its checksum/);
    const closing = lines.findIndex((l) => l.startsWith('checksum'));
    const badClosing = [...lines];
    badClosing[closing] = badClosing[closing]!.replace(/checksum (.)/, (_, c: string) => `checksum ${c === 'A' ? 'B' : 'A'}`);
    assert.throws(() => readKeyExport(badClosing.join('\n')), /closing checksum does not match/);
  });

  test('header lines that contradict the payload, and foreign text, are refused', () => {
    const otherRepository = text.replace(/^repository [0-9a-f]{64}$/m, `repository ${'ab'.repeat(32)}`);
    assert.throws(() => readKeyExport(otherRepository), /the repository line says abababab/);
    assert.throws(() => readKeyExport(text.replace('protection none', 'protection passphrase')), /protection line says/);
    assert.throws(() => readKeyExport('-----BEGIN PGP MESSAGE-----\n'), /is this a coffer key export/);
    assert.throws(() => readKeyExport(text.replace(/^(\d+ {2})(\S)/m, '$1U')), /"U" .* is not a symbol of the export/);
  });
});
