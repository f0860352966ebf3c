import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fg from 'fast-glob';
import { readFileSync } from 'node:fs';
import { ROOT } from '../helpers/strata.js';
import { parseYamlFast } from '../../core/metadata/fast-yaml.js';
import { parseYamlCarefully } from '../../core/metadata/yaml.js';

// The quick reader must give exactly the tree the careful one gives, or
// step aside (undefined) so the careful one answers.

const SAMPLES: Record<string, string> = {
  scalars: 'a: 1.10\nb: 007\nc: true\nd: null\ne:\nf: "quoted: yes"\ng: plain text # comment\nh: 0x1F\ni: 2026-11-22\n',
  nested: 'vars:\n  A: x\n  B:\n  C: |\n    multi\n    line\nlist: [a, "b c", 3]\nseq:\n  - url: u\n    sha: 007\n  - plain\n  -\n',
  flow: 'm: {a: 1, b: [x, y]}\n',
  comments: '# head\n\nname: x   # trailing\n# between\nversion: 1\n',
  empty: '',
  crlf: 'a: 1\r\nb:\r\n  - x\r\n',
  // js-yaml wraps a block sequence entry that is a collection in a second
  // node at the same place; the quick reader once nested such entries one
  // level too deep (`- [x]` read as [[[x]]]).
  'collections as block sequence entries': '- [x]\n- {a: 1, b: [2]}\n- - y\n  - - z\n- []\n- {}\n- [[w]]\n',
  'flow maps in a nested block sequence': 'disk:\n  partitions:\n    - { label: boot, fs: vfat }\n    - { label: root, size: 64M }\n',
};

test('the quick reader takes collections in block sequences (no slow path for a disk: list)', () => {
  for (const name of ['collections as block sequence entries', 'flow maps in a nested block sequence'])
    assert.ok(parseYamlFast('f.yaml', SAMPLES[name]), `${name}: left to the careful reader`);
});

for (const [name, text] of Object.entries(SAMPLES)) {
  test(`quick and careful readers agree: ${name}`, () => {
    const fast = parseYamlFast('f.yaml', text);
    assert.equal(fast ?? parseYamlCarefully('f.yaml', text), parseYamlCarefully('f.yaml', text));
  });
}

test('quick reader agrees on every YAML file of the project and its fixtures', () => {
  const files = fg.sync(['layers/**/*.yaml', 'include/**/*.yaml', 'machines/**/*.yaml', 'distros/*.yaml', 'images/*.yaml', 'tests/fixtures/**/*.yaml'], {
    cwd: ROOT,
    absolute: true,
  });
  assert.ok(files.length > 20, `found ${files.length} files`);
  let quick = 0;
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    let careful;
    try {
      careful = parseYamlCarefully(f, text);
    } catch {
      assert.is(parseYamlFast(f, text), undefined, `${f}: the quick reader must not accept what the careful one rejects`);
      continue;
    }
    const fast = parseYamlFast(f, text);
    if (fast) quick++;
    if (fast) assert.equal(fast, careful, f);
  }
  assert.ok(quick > files.length / 2, `the quick reader handled only ${quick} of ${files.length}`);
});

test('anchors, tags and bad YAML are left to the careful reader', () => {
  assert.is(parseYamlFast('f.yaml', 'a: &x 1\nb: *x\n'), undefined);
  assert.is(parseYamlFast('f.yaml', 'a: !!str 1\n'), undefined);
  assert.is(parseYamlFast('f.yaml', 'a: [1\n'), undefined);
  assert.is(parseYamlFast('f.yaml', 'a: 1\na: 2\n'), undefined);
});

test.run();
