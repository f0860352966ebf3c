import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { offsetToLocation, scanJson } from '../../core/qemu/json-locations.js';

test('offsets of members by JSON Pointer', () => {
  const text = '{\n  "a": 1,\n  "b/c": { "d": [true, "x", null] },\n  "e~": -1.5e3\n}';
  const scan = scanJson(text);
  assert.ok(scan.ok);
  if (!scan.ok) return;
  const where = (p: string) => offsetToLocation('f.json', text, scan.offsets.get(p)!);
  assert.equal(where('/a'), { file: 'f.json', line: 2, column: 3 });
  assert.equal(where('/b~1c/d'), { file: 'f.json', line: 3, column: 12 });
  assert.equal(where('/b~1c/d/1'), { file: 'f.json', line: 3, column: 24 });
  assert.equal(where('/e~0'), { file: 'f.json', line: 4, column: 3 });
});

test('syntax errors: where and what was expected', () => {
  const cases: [string, number, string][] = [
    ['{"a": 1,}', 8, 'no trailing comma'],
    ['{"a" 1}', 5, '":"'],
    ['{"a": minimal}', 6, 'a value'],
    ['{"a": "x', 6, 'closed by "'],
    ['{"a": 1} x', 9, 'end of file after the value'],
    ['[1 2]', 3, '"," or "]"'],
    ['', 0, 'found end of file'],
    ["{'a': 1}", 1, 'field name'],
  ];
  for (const [text, offset, message] of cases) {
    const scan = scanJson(text);
    assert.not.ok(scan.ok, text);
    if (scan.ok) continue;
    assert.is(scan.offset, offset, text);
    assert.match(scan.message, message, text);
  }
});

test('accepts exactly what JSON.parse accepts', () => {
  const samples = ['{}', '[]', '0', '-0.5', '01', '1.', '"\\u00e9\\n"', '"\\x"', '"a\tb"', ' [ {"a" : [ ] } ] ', 'nul', '{"a":1}{', '[1,]', '1e5', '.5'];
  for (const s of samples) {
    let parsed = true;
    try {
      JSON.parse(s);
    } catch {
      parsed = false;
    }
    assert.is(scanJson(s).ok, parsed, JSON.stringify(s));
  }
});

test.run();
