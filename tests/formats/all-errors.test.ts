import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadDistro } from '../../core/config/distro.js';
import { loadImage } from '../../core/config/image.js';
import { loadMachine } from '../../core/config/machine.js';
import { loadProject } from '../../core/config/project.js';
import { loadLayer } from '../../core/metadata/layer.js';
import { loadRecipeFile } from '../../core/metadata/recipe-file.js';
import { UserError, type Diagnostic } from '../../core/diagnostics/diagnostic.js';
import { problemsOf } from '../helpers/diagnostics.js';
import { scratchDirs, writeTree } from '../helpers/strata.js';

// Every kind of file is checked whole against its schema before it is read,
// so a user sees all of a file's problems, each at its file:line:col, in one
// run; and strata.yaml and layer.yaml say which format they are written in.

const tempDir = scratchDirs(test);

const problems = (files: Record<string, string>, load: (dir: string) => unknown): string[] => problemsOf(tempDir(), files, load);

const layerYaml = 'name: core\n';
const layer = (dir: string) => loadLayer(dir);

const ROWS: { what: string; files: Record<string, string>; load: (dir: string) => unknown; expect: string[] }[] = [
  {
    what: 'a machine with seven problems',
    files: { 'board.yaml': 'kernal: {}\nconsole: [a]\nqemu:\n  binary: qemu-system-aarch64\n  memory: 0\n  args: [-s]\nboot-chain: u-boot\n' },
    load: (dir) => loadMachine(join(dir, 'board.yaml')),
    expect: [
      "board.yaml:1:1 schema-unknown-key machine: unknown key 'kernal'",
      'board.yaml:2:10 schema-type machine console: expected a string, found a list',
      'board.yaml:5:11 schema-range machine qemu memory: expected a whole number of at least 1, found 0',
      "board.yaml:6:3 schema-unknown-key machine qemu: unknown key 'args'",
      "board.yaml:4:3 schema-missing-key machine qemu: missing required key 'machine'",
      'board.yaml:7:13 schema-type machine boot-chain: expected a list of strings, found string "u-boot"',
      "board.yaml:1:1 schema-missing-key machine: missing required key 'arch'",
    ],
  },
  {
    what: 'a recipe: sources, vars, tasks and packages at once',
    files: {
      'layer.yaml': layerYaml,
      'recipes/r.yaml':
        'name: r\nversion: true\nsources:\n  - { url: "https://example.org/r.tgz", sha: abc }\n  - true\nvars:\n  A: [x]\ntasks:\n  compile: {}\npackages:\n  r: /bin/*\n',
    },
    load: (dir) => loadRecipeFile(join(dir, 'recipes/r.yaml'), loadLayer(dir)),
    expect: [
      'recipes/r.yaml:2:10 schema-type recipe version: expected a string, found boolean true',
      "recipes/r.yaml:4:41 schema-unknown-key recipe sources[0]: unknown key 'sha'",
      'recipes/r.yaml:5:5 schema-type recipe sources[1]: expected a string or a map, found boolean true',
      'recipes/r.yaml:7:6 schema-type variable A: expected a string, found a list',
      'recipes/r.yaml:9:12 schema-type task compile: expected a string, found a map',
      'recipes/r.yaml:11:6 schema-type package r: expected a list of strings, found string "/bin/*"',
    ],
  },
  {
    what: 'a distro and an image',
    files: { 'd.yaml': 'version: 1\nprovders: {}\n' },
    load: (dir) => loadDistro(join(dir, 'd.yaml')),
    expect: ["d.yaml:2:1 schema-unknown-key distro: unknown key 'provders'", "d.yaml:1:1 schema-missing-key distro: missing required key 'libc'"],
  },
  {
    what: 'image checks',
    files: { 'i.yaml': 'install: [busybox]\nchecks:\n  - { run: "", status: -1 }\n  - { name: x, timeout: 0 }\n' },
    load: (dir) => loadImage(join(dir, 'i.yaml')),
    expect: [
      'i.yaml:3:12 schema-value image check[0] run: expected a non-empty string',
      'i.yaml:3:24 schema-range image check[0] status: expected a whole number of at least 0, found -1',
      'i.yaml:4:25 schema-range image check[1] timeout: expected a number of at least 0.001, found 0',
      "i.yaml:4:5 schema-missing-key image check[1]: missing required key 'run'",
    ],
  },
  {
    what: 'strata.yaml',
    files: { 'strata.yaml': 'layers: core\njobs: 1.5\ncache: [x]\nremote-cache: { write: yes }\nfetch-retries: -1\n' },
    load: (dir) => loadProject(dir),
    expect: [
      'strata.yaml:1:9 schema-type strata.yaml layers: expected a list of strings, found string "core"',
      'strata.yaml:2:7 schema-range strata.yaml jobs: expected a whole number of at least 1, found 1.5',
      'strata.yaml:3:8 schema-type strata.yaml cache: expected a string or true or false, found a list',
      'strata.yaml:4:24 schema-type strata.yaml remote-cache write: expected true or false, found string "yes"',
      "strata.yaml:4:15 schema-missing-key strata.yaml remote-cache: missing required key 'url'",
      'strata.yaml:5:16 schema-range strata.yaml fetch-retries: expected a whole number of at least 0, found -1',
    ],
  },
  {
    what: 'layer.yaml',
    files: { 'layer.yaml': 'priority: high\ndepends: meta\n' },
    load: layer,
    expect: [
      'layer.yaml:1:11 schema-type layer priority: expected a number, found string "high"',
      'layer.yaml:2:10 schema-type layer depends: expected a list of strings, found string "meta"',
      "layer.yaml:1:1 schema-missing-key layer: missing required key 'name'",
    ],
  },
];

for (const row of ROWS) {
  test(`all problems at once: ${row.what}`, () => {
    assert.equal(problems(row.files, row.load), row.expect);
  });
}

test('format: a version from a newer Strata is the one error, at its line, saying what to do', () => {
  for (const [file, load] of [
    ['strata.yaml', (dir: string) => loadProject(dir)],
    ['layer.yaml', layer],
  ] as const) {
    for (const [value, shown] of [
      ['2', '2'],
      ['"1"', '"1"'],
      ['0', '0'],
      ['[1]', 'a list'],
    ]) {
      const dir = tempDir();
      writeTree(dir, { [file]: `name: core\nunknown-new-key: x\nformat: ${value}\n` });
      let d: Diagnostic | undefined;
      try {
        load(dir);
      } catch (e) {
        if (!(e instanceof UserError)) throw e;
        assert.is(e.diagnostics.length, 1, `${file} format ${value}: only the version is reported`);
        d = e.diagnostics[0];
      }
      assert.ok(d, `${file} format ${value} was accepted`);
      assert.is(d!.code, 'format-version');
      assert.equal(d!.location, { file: join(dir, file), line: 3, column: 9 });
      assert.match(d!.message, `is written in format ${shown}, but this Strata reads format 1`);
      assert.match(d!.hint!, 'upgrade Strata');
    }
  }
});

test('format: 1, or none, reads as before', () => {
  for (const head of ['format: 1\n', '']) {
    assert.equal(
      problems({ 'strata.yaml': `${head}machine: board\n` }, (dir) => loadProject(dir)),
      [],
    );
    assert.equal(problems({ 'layer.yaml': `${head}name: core\n` }, layer), []);
  }
});

test.run();
