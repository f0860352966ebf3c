import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseDocument } from 'yaml';
import { deleteTopKey } from '../../core/metadata/yaml-edit.js';

// Deleting a key from a YAML document keeps every comment that is not the
// key's own: the `yaml` package hangs a file's head comment on the first key.

const ROWS: { what: string; text: string; key: string; expect: string }[] = [
  { what: "the first key's own comment goes with it", text: '# about machine\nmachine: a\ndistro: b\n', key: 'machine', expect: 'distro: b\n' },
  {
    what: "the file's head comment, above a blank line, stays",
    text: '# head\n\n# about machine\nmachine: a\n# about distro\ndistro: b\n',
    key: 'machine',
    expect: '# head\n\n# about distro\ndistro: b\n',
  },
  {
    what: 'a section comment above a middle key moves to the next key',
    text: 'x: 1\n# section\n\n# about machine\nmachine: a\ndistro: b\n',
    key: 'machine',
    expect: 'x: 1\n# section\n\ndistro: b\n',
  },
  { what: 'a section comment above the last key stays at the end', text: 'x: 1\n# s\n\n# m\nmachine: a\n', key: 'machine', expect: 'x: 1\n# s\n' },
  { what: 'a key without comments', text: 'a: 1\nb: 2\n', key: 'a', expect: 'b: 2\n' },
  { what: 'a missing key changes nothing', text: '# h\n\na: 1\n', key: 'zz', expect: '# h\n\na: 1\n' },
];

for (const row of ROWS) {
  test(row.what, () => {
    const doc = parseDocument(row.text);
    assert.is(deleteTopKey(doc, row.key), row.key !== 'zz');
    assert.is(String(doc), row.expect);
  });
}

test('an empty document has nothing to delete', () => {
  assert.is(deleteTopKey(parseDocument(''), 'a'), false);
});

test.run();
