import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadImage } from '../../core/config/image.js';
import { IncludeResolver } from '../../core/metadata/include.js';
import { loadLayer } from '../../core/metadata/layer.js';
import { loadRecipeFile } from '../../core/metadata/recipe-file.js';
import { problemsOf } from '../helpers/diagnostics.js';
import { scratchDirs, writeTree } from '../helpers/strata.js';

// The checks beyond each value's own shape (a source has url: or git:, an
// image type is one Strata writes, includes are found, are maps, and merge)
// report every problem of a file in one run, each at its file:line:col, like
// the schema does for structure (all-errors.test.ts).

const tempDir = scratchDirs(test);

const problems = (files: Record<string, string>, load: (dir: string) => unknown): string[] => problemsOf(tempDir(), files, load);

const recipe = (dir: string) => loadRecipeFile(join(dir, 'recipes/r.yaml'), loadLayer(dir), new IncludeResolver([join(dir, 'include')]).read);
const image = (dir: string) => loadImage(join(dir, 'i.yaml'), new IncludeResolver([]).read);

const ROWS: { what: string; files: Record<string, string>; load: (dir: string) => unknown; expect: string[] }[] = [
  {
    what: 'sources with both, neither, and git pins on a download, beside a schema error',
    files: {
      'layer.yaml': 'name: core\n',
      'recipes/r.yaml': [
        'name: r',
        'version: true',
        'sources:',
        '  - url: https://example.org/a.tgz',
        '    git: https://example.org/a.git',
        '  - sha256: abc',
        '  - url: https://example.org/b.tgz',
        '    rev: 0123456789abcdef0123456789abcdef01234567',
        '    tag: v1',
        '  - git: https://example.org/c.git',
        '    rev: 0123456789abcdef0123456789abcdef01234567',
        '',
      ].join('\n'),
    },
    load: recipe,
    expect: [
      'recipes/r.yaml:2:10 schema-type recipe version: expected a string, found boolean true',
      "recipes/r.yaml:4:5 schema-missing-key source: 'url' and 'git' cannot both be given",
      "recipes/r.yaml:6:5 schema-missing-key source: missing required key 'url' (or 'git')",
      "recipes/r.yaml:8:5 schema-unknown-key source: 'rev' belongs to git sources",
      "recipes/r.yaml:9:5 schema-unknown-key source: 'tag' belongs to git sources",
    ],
  },
  {
    what: "a device major over Linux's 12 bits (squashfs and ext4 would store another device)",
    files: { 'i.yaml': 'install: [busybox]\ntypes: [squashfs]\ndevices:\n  - {path: /dev/x, type: char, major: 4096, minor: 0}\n' },
    load: image,
    expect: ['i.yaml:4:39 rootfs-bad-device device major 4096 is out of range'],
  },
  {
    what: 'unknown image types, each at its own item, beside a bad check',
    files: { 'i.yaml': 'install: [busybox]\ntypes: [cpio.gz, ext5, tar.gz, iso]\nchecks:\n  - { run: "" }\n' },
    load: image,
    expect: [
      'i.yaml:2:18 schema-value image types[1]: expected one of cpio.gz, tar.gz, tar.zst, ext4, vfat, squashfs, oci.tar, found string "ext5"',
      'i.yaml:2:32 schema-value image types[3]: expected one of cpio.gz, tar.gz, tar.zst, ext4, vfat, squashfs, oci.tar, found string "iso"',
      'i.yaml:4:12 schema-value image check[0] run: expected a non-empty string',
    ],
  },
  {
    what: 'includes: two missing, one not a map, one whose own include is missing, and a clash of shapes',
    files: {
      'layer.yaml': 'name: core\n',
      'include/list.inc.yaml': '- a\n- b\n',
      'include/deep.inc.yaml': 'include: [gone]\nvars:\n  A: "1"\n',
      'include/shape.inc.yaml': 'depends: [zlib]\n',
      'recipes/r.yaml': 'include: [nowhere, list, deep, shape, elsewhere]\nname: r\nversion: "1"\ndepends: zlib\n',
    },
    load: recipe,
    expect: [
      "recipes/r.yaml:1:11 include-missing included file 'nowhere' not found",
      'include/list.inc.yaml:1:1 include-not-map included file LIST must be a map of keys, found a list',
      "include/deep.inc.yaml:1:11 include-missing included file 'gone' not found",
      "recipes/r.yaml:1:39 include-missing included file 'elsewhere' not found",
      'recipes/r.yaml:4:1 include-conflict \'depends\' is string "zlib" here but a list in an included file',
    ],
  },
  {
    what: "include problems beside the file's own schema problems, in one run (a missing key may be in the failed fragment: not reported)",
    files: {
      'layer.yaml': 'name: core\n',
      'include/shape.inc.yaml': 'depends: [zlib]\n',
      'recipes/r.yaml': 'include: [nowhere, shape]\nversion: true\nsourcez: []\ndepends: zlib\n',
    },
    load: recipe,
    expect: [
      "recipes/r.yaml:1:11 include-missing included file 'nowhere' not found",
      'recipes/r.yaml:4:1 include-conflict \'depends\' is string "zlib" here but a list in an included file',
      'recipes/r.yaml:2:10 schema-type recipe version: expected a string, found boolean true',
      "recipes/r.yaml:3:1 schema-unknown-key recipe: unknown key 'sourcez'",
    ],
  },
  {
    what: 'an image with a missing include and an unknown type, in one run',
    files: { 'i.yaml': 'include: [gone]\ninstall: [busybox]\ntypes: [ext5]\n' },
    load: image,
    expect: [
      "i.yaml:1:11 include-missing included file 'gone' not found",
      'i.yaml:3:9 schema-value image types[0]: expected one of cpio.gz, tar.gz, tar.zst, ext4, vfat, squashfs, oci.tar, found string "ext5"',
    ],
  },
  {
    what: 'a fragment included along two paths reports its problem once',
    files: {
      'layer.yaml': 'name: core\n',
      'include/bad.inc.yaml': 'include: [gone]\n',
      'include/a.inc.yaml': 'include: [bad]\n',
      'include/b.inc.yaml': 'include: [bad]\n',
      'recipes/r.yaml': 'include: [a, b]\nname: r\nversion: "1"\n',
    },
    load: recipe,
    expect: ["include/bad.inc.yaml:1:11 include-missing included file 'gone' not found"],
  },
];

for (const row of ROWS) {
  test(row.what, () => {
    const got = problems(row.files, row.load).map((p) => p.replace(/\S*\/include\/list\.inc\.yaml/, 'LIST'));
    assert.equal(got, row.expect);
  });
}

test('a file without problems still loads: every kind of source, known types, includes merged', () => {
  const dir = tempDir();
  writeTree(dir, {
    'layer.yaml': 'name: core\n',
    'include/common.inc.yaml': 'depends: [zlib]\nvars:\n  A: "1"\n',
    'recipes/r.yaml': [
      'include: [common]',
      'name: r',
      'version: "1"',
      'depends: [openssl]',
      'sources:',
      '  - https://example.org/a.tgz',
      '  - url: https://example.org/b.tgz',
      '    sha256: abc',
      '  - git: https://example.org/c.git',
      '    rev: 0123456789abcdef0123456789abcdef01234567',
      '',
    ].join('\n'),
    'i.yaml': 'install: [busybox]\ntypes: [ext4, oci.tar]\n',
  });
  const r = recipe(dir);
  assert.equal(r.depends, ['zlib', 'openssl']);
  assert.equal(
    r.sources.map((s) => [s.url, s.git ? 'git' : 'url']),
    [
      ['https://example.org/a.tgz', 'url'],
      ['https://example.org/b.tgz', 'url'],
      ['https://example.org/c.git', 'git'],
    ],
  );
  assert.equal(image(dir).types, ['ext4', 'oci.tar']);
});

test.run();
