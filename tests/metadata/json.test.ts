import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Diagnostic } from '../../core/diagnostics/diagnostic.js';
import { locatePointer, parseJsonText, plainValue } from '../../core/metadata/json.js';
import type { LValue } from '../../core/metadata/tree.js';

// JSON read into the located tree that YAML files also give (so one schema
// checks both): every member keeps where it was written, and a syntax error
// says where and what was expected.

function tree(text: string): LValue {
  const r = parseJsonText('f.json', text);
  if (!r.ok) throw new Error(r.error.map((d) => d.message).join('\n'));
  return r.value;
}

function syntax(text: string): Diagnostic {
  const r = parseJsonText('f.json', text);
  if (r.ok) throw new Error(`${JSON.stringify(text)} was accepted`);
  return r.error[0];
}

test('members are located by JSON Pointer: keys at the key, items at the value', () => {
  const t = tree('{\n  "a": 1,\n  "b/c": { "d": [true, "x", null] },\n  "e~": -1.5e3\n}');
  const where = (p: string) => locatePointer(t, p).loc;
  assert.equal(where('/a'), { file: 'f.json', line: 2, column: 3 });
  assert.equal(where('/b~1c/d'), { file: 'f.json', line: 3, column: 12 });
  assert.equal(where('/b~1c/d/1'), { file: 'f.json', line: 3, column: 24 });
  assert.equal(where('/e~0'), { file: 'f.json', line: 4, column: 3 });
  // A missing member points at the nearest object that exists.
  assert.equal(where('/b~1c/nope'), { file: 'f.json', line: 3, column: 3 });
  assert.is(locatePointer(t, '/b~1c/nope').node, undefined);
  assert.equal(plainValue(t), { a: 1, 'b/c': { d: [true, 'x', null] }, 'e~': -1500 });
});

test('JSON numbers keep no spelling: they are numbers, never strings', () => {
  const t = tree('{"v": 1.10}');
  assert.equal(t.kind === 'map' && t.entries[0].value, { kind: 'scalar', value: 1.1, loc: { file: 'f.json', line: 1, column: 7 } });
});

test('syntax errors: where and what was expected', () => {
  const cases: [string, number, string][] = [
    ['{"a": 1,}', 9, 'no trailing comma'],
    ['{"a" 1}', 6, '":"'],
    ['{"a": minimal}', 7, 'a value'],
    ['{"a": "x', 7, 'closed by "'],
    ['{"a": 1} x', 10, 'end of file after the value'],
    ['[1 2]', 4, '"," or "]"'],
    ['', 1, 'found end of file'],
    ["{'a': 1}", 2, 'field name'],
  ];
  for (const [text, column, message] of cases) {
    const d = syntax(text);
    assert.is(d.code, 'json-syntax', text);
    assert.equal(d.location, { file: 'f.json', line: 1, column }, text);
    assert.match(d.message, message, text);
  }
  assert.equal(syntax('{\n  "machine": "qemuarm64",\n  "image": minimal\n}\n').location, { file: 'f.json', line: 3, column: 12 });
});

test('a field written twice is an error naming both places', () => {
  const d = syntax('{\n  "a": 1,\n  "a": 2\n}');
  assert.is(d.code, 'json-duplicate-key');
  assert.equal(d.location, { file: 'f.json', line: 3, column: 3 });
  assert.equal(d.related?.[0].location, { file: 'f.json', line: 2, column: 3 });
});

test('accepts exactly what JSON.parse accepts, and reads the same values', () => {
  const samples = ['{}', '[]', '0', '-0.5', '01', '1.', '"\\u00e9\\n"', '"\\x"', '"a\tb"', ' [ {"a" : [ ] } ] ', 'nul', '{"a":1}{', '[1,]', '1e5', '.5'];
  for (const s of samples) {
    let parsed: unknown;
    let ok = true;
    try {
      parsed = JSON.parse(s);
    } catch {
      ok = false;
    }
    const r = parseJsonText('f.json', s);
    assert.is(r.ok, ok, JSON.stringify(s));
    if (r.ok) assert.equal(plainValue(r.value), parsed, JSON.stringify(s));
  }
});

test.run();
