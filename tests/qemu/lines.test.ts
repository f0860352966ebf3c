import { from, lastValueFrom, toArray } from 'rxjs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { splitLines, TerminalText, terminalToText, toPlainText } from '../../core/qemu/lines.js';

test('terminalToText drops CR, escape sequences and stray controls', () => {
  assert.is(terminalToText('hello\r\r\nworld\r\n'), 'hello\nworld\n');
  assert.is(terminalToText('\x1b[6n\x1b[1;32m~ # \x1b[0m'), '~ # ');
  assert.is(terminalToText('\x1b]0;title\x07text\x1b(B\x1b=more\x00'), 'textmore');
  assert.is(terminalToText('a\tb'), 'a\tb');
});

test('TerminalText holds back a sequence split across chunks', () => {
  const t = new TerminalText();
  assert.is(t.push('one\x1b['), 'one');
  assert.is(t.push('1;3'), '');
  assert.is(t.push('2mtwo'), 'two');
  assert.is(t.push('\x1b'), '');
  assert.is(t.push('[Kthree'), 'three');
  assert.is(t.push('four\x1b'), 'four');
  assert.is(t.flush(), '');
});

test('TerminalText drops two-byte escapes and holds back nothing after them', () => {
  const t = new TerminalText();
  assert.is(t.push('\x1bc\x1b7prompt # \x1b8'), 'prompt # ');
});

test('splitLines: chunks in, whole lines out, last partial line on completion', async () => {
  const lines = await lastValueFrom(from(['boot', 'ing\nline two\n\n', 'part', 'ial']).pipe(splitLines(), toArray()));
  assert.equal(lines, ['booting', 'line two', '', 'partial']);
});

test('toPlainText then splitLines: a console stream as lines', async () => {
  const lines = await lastValueFrom(from(['[  0.1] Linux\r', '\r\n\x1b[32mOK\x1b', '[0m\r\r\n']).pipe(toPlainText(), splitLines(), toArray()));
  assert.equal(lines, ['[  0.1] Linux', 'OK']);
});

test.run();
