import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatWarning, printJson, renderTable, sanitizeForTerminal } from './output.js';

function sink(): { write(text: string): void; text: string } {
  return {
    text: '',
    write(text: string) {
      this.text += text;
    },
  };
}

test('printJson writes one line', () => {
  const out = sink();
  printJson(out, { id: 'ab12', paths: ['/a\nb'], nested: { n: 1 } });
  assert.equal(out.text, '{"id":"ab12","paths":["/a\\nb"],"nested":{"n":1}}\n');
  assert.equal(out.text.split('\n').length, 2);
});

test('renderTable aligns columns under a rule, without trailing spaces', () => {
  const table = renderTable(
    ['ID', 'Time', 'Host', 'Paths'],
    [
      ['4f3a9c1e', '2024-05-01 10:00:00', 'laptop', '/home/ann'],
      ['b71c', '2024-05-02 09:30:00', 'srv', '/etc'],
    ],
  );
  assert.equal(
    table,
    [
      'ID        Time                 Host    Paths',
      '--------  -------------------  ------  ---------',
      '4f3a9c1e  2024-05-01 10:00:00  laptop  /home/ann',
      'b71c      2024-05-02 09:30:00  srv     /etc',
      '',
    ].join('\n'),
  );
});

test('renderTable right-aligns columns on request and pads short rows', () => {
  const table = renderTable(['Name', 'Size', 'Note'], [['a', '1.0 KiB', 'x'], ['bb', '12 B']], {
    align: ['left', 'right'],
  });
  assert.equal(table, ['Name     Size  Note', '----  -------  ----', 'a     1.0 KiB  x', 'bb       12 B', ''].join('\n'));
});

test('renderTable counts code points and neutralises control characters', () => {
  const table = renderTable(['Path', 'N'], [['/ä/ö', '1'], ['/x\ny', '2']]);
  const lines = table.split('\n');
  assert.equal(lines[2], '/ä/ö  1');
  assert.equal(lines[3], '/x?y  2');
  assert.equal(lines.length, 5);
});

test('renderTable refuses a row longer than the header', () => {
  assert.throws(() => renderTable(['A'], [['1', '2']]), RangeError);
});

test('renderTable with no rows prints the header and rule', () => {
  assert.equal(renderTable(['ID', 'Host'], []), 'ID  Host\n--  ----\n');
});

test('formatWarning prefixes and keeps the warning on one line', () => {
  assert.equal(formatWarning({ message: 'cannot read /etc/shadow: permission denied' }), 'warning: cannot read /etc/shadow: permission denied');
  assert.equal(formatWarning({ message: 'vanished: /tmp/a\nwarning: forged' }), 'warning: vanished: /tmp/a?warning: forged');
});

test('sanitizeForTerminal replaces escape sequences', () => {
  assert.equal(sanitizeForTerminal('a\x1b[31mred\x7f\u009b'), 'a?[31mred??');
});
