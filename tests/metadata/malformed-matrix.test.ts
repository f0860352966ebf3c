import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { UserError, type Diagnostic } from '../../core/diagnostics/diagnostic.js';
import { formatDiagnostic } from '../../core/diagnostics/printer.js';
import { planBuild } from '../../core/graph/plan.js';
import { Configuration } from '../../core/resolve/configuration.js';
import { layerSet } from '../helpers/layer-set.js';
import { scratchDirs } from '../helpers/strata.js';

// Every kind of malformed metadata we could think of, in every kind of file,
// each loaded the way `strata build app` loads it. Each row names the file
// it breaks, the diagnostic code, the line and column it must point at, and
// a piece of the message. Rows are independent projects.

const tempDir = scratchDirs(test);
const APP = 'name: app\nversion: "1"\n';

interface Row {
  readonly what: string;
  /** Files of the one layer `core` (relative paths); `strata.yaml` extra text under `project`. */
  readonly files?: Record<string, string>;
  readonly project?: string;
  /** The file the diagnostic must point at: a path in layer core, or `strata.yaml`. */
  readonly file: string;
  readonly code: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

const ROWS: Row[] = [
  // YAML syntax
  {
    what: 'unclosed flow list',
    files: { 'recipes/app.yaml': APP + 'depends: [a, b\n' },
    file: 'recipes/app.yaml',
    code: 'yaml-syntax',
    line: 4,
    column: 1,
    message: 'malformed YAML',
  },
  {
    what: 'tab indentation',
    files: { 'recipes/app.yaml': APP + 'vars:\n\tA: b\n' },
    file: 'recipes/app.yaml',
    code: 'yaml-syntax',
    line: 4,
    column: 1,
    message: 'malformed YAML',
  },
  {
    what: 'duplicate key',
    files: { 'recipes/app.yaml': APP + 'name: other\n' },
    file: 'recipes/app.yaml',
    code: 'yaml-duplicate-key',
    line: 3,
    column: 1,
    message: "the key 'name' is written twice",
  },
  {
    what: 'a colon inside a plain value',
    files: { 'recipes/app.yaml': APP + 'vars:\n  A: b: c\n' },
    file: 'recipes/app.yaml',
    code: 'yaml-syntax',
    line: 4,
    column: 6,
    message: 'malformed YAML',
  },
  {
    what: 'unterminated quote',
    files: { 'recipes/app.yaml': APP + 'summary: "open\n' },
    file: 'recipes/app.yaml',
    code: 'yaml-syntax',
    line: 3,
    column: 10,
    message: 'malformed YAML',
  },
  {
    what: 'a recipe that is a list',
    files: { 'recipes/app.yaml': '- name: app\n' },
    file: 'recipes/app.yaml',
    code: 'schema-type',
    line: 1,
    column: 1,
    message: 'expected a map, found a list',
  },
  {
    what: 'non-scalar key',
    files: { 'recipes/app.yaml': APP + '? [a, b]\n: c\n' },
    file: 'recipes/app.yaml',
    code: 'yaml-key',
    line: 3,
    column: 3,
    message: 'map keys must be plain scalars',
  },
  // Wrong types
  {
    what: 'depends is a string',
    files: { 'recipes/app.yaml': APP + 'depends: zlib\n' },
    file: 'recipes/app.yaml',
    code: 'schema-type',
    line: 3,
    column: 10,
    message: 'expected a list of strings, found string',
  },
  {
    what: 'vars is a list',
    files: { 'recipes/app.yaml': APP + 'vars: [A, B]\n' },
    file: 'recipes/app.yaml',
    code: 'schema-type',
    line: 3,
    column: 7,
    message: 'expected a map, found a list',
  },
  {
    what: 'a variable holding a map',
    files: { 'recipes/app.yaml': APP + 'vars:\n  A:\n    b: c\n' },
    file: 'recipes/app.yaml',
    code: 'schema-type',
    line: 5,
    column: 5,
    message: 'variable A: expected a string, found a map',
  },
  {
    what: 'a task holding a list',
    files: { 'recipes/app.yaml': APP + 'tasks:\n  compile: [make]\n' },
    file: 'recipes/app.yaml',
    code: 'schema-type',
    line: 4,
    column: 12,
    message: 'task compile: expected a string',
  },
  {
    what: 'a source without url',
    files: { 'recipes/app.yaml': APP + 'sources:\n  - sha256: abc\n' },
    file: 'recipes/app.yaml',
    code: 'schema-missing-key',
    line: 4,
    column: 5,
    message: "missing required key 'url'",
  },
  {
    what: 'a boolean version',
    files: { 'recipes/app.yaml': 'name: app\nversion: true\n' },
    file: 'recipes/app.yaml',
    code: 'schema-type',
    line: 2,
    column: 10,
    message: 'recipe version: expected a string, found boolean',
  },
  {
    what: 'layer priority as text',
    files: { 'layer.yaml': 'name: core\npriority: high\n' },
    file: 'layer.yaml',
    code: 'schema-type',
    line: 2,
    column: 11,
    message: 'layer priority: expected a number',
  },
  {
    what: 'machine qemu memory as text',
    files: { 'machines/board.yaml': 'arch: aarch64\nqemu:\n  binary: qemu-system-aarch64\n  machine: virt\n  memory: lots\n' },
    file: 'machines/board.yaml',
    code: 'schema-type',
    line: 5,
    column: 11,
    message: 'qemu memory: expected a whole number of at least 1, found string "lots"',
  },
  {
    what: 'offline as text in strata.yaml',
    project: 'offline: sometimes\n',
    file: 'strata.yaml',
    code: 'schema-type',
    line: 5,
    column: 10,
    message: 'offline: expected true or false',
  },
  // Unknown keys
  {
    what: 'misspelt recipe key',
    files: { 'recipes/app.yaml': APP + 'dependz: [a]\n' },
    file: 'recipes/app.yaml',
    code: 'schema-unknown-key',
    line: 3,
    column: 1,
    message: "unknown key 'dependz'",
  },
  {
    what: 'misspelt source key',
    files: { 'recipes/app.yaml': APP + 'sources:\n  - url: https://example.org/a.tar.gz\n    sha: abc\n' },
    file: 'recipes/app.yaml',
    code: 'schema-unknown-key',
    line: 5,
    column: 5,
    message: "unknown key 'sha'",
  },
  {
    what: 'unknown key in an append',
    files: { 'recipes/app.yaml': APP, 'recipes/app.append.yaml': 'append: app\nvar:\n  A: b\n' },
    file: 'recipes/app.append.yaml',
    code: 'schema-unknown-key',
    line: 2,
    column: 1,
    message: "unknown key 'var'",
  },
  {
    what: 'unknown key in a class',
    files: { 'classes/c.yaml': 'name: c\n' },
    file: 'classes/c.yaml',
    code: 'schema-unknown-key',
    line: 1,
    column: 1,
    message: "class c: unknown key 'name'",
  },
  {
    what: 'unknown key in layer.yaml',
    files: { 'layer.yaml': 'name: core\npriorty: 3\n' },
    file: 'layer.yaml',
    code: 'schema-unknown-key',
    line: 2,
    column: 1,
    message: "unknown key 'priorty'",
  },
  {
    what: 'unknown key in a machine',
    files: { 'machines/board.yaml': 'arch: aarch64\nkernal: linux\n' },
    file: 'machines/board.yaml',
    code: 'schema-unknown-key',
    line: 2,
    column: 1,
    message: "machine: unknown key 'kernal'",
  },
  {
    what: 'unknown key in a distro',
    files: { 'distros/testdistro.yaml': 'version: "1"\nlibc: musl\ninit-system: x\n' },
    file: 'distros/testdistro.yaml',
    code: 'schema-unknown-key',
    line: 3,
    column: 1,
    message: "distro: unknown key 'init-system'",
  },
  {
    what: 'unknown key in strata.yaml',
    project: 'mirror: [a]\n',
    file: 'strata.yaml',
    code: 'schema-unknown-key',
    line: 5,
    column: 1,
    message: "unknown key 'mirror'",
  },
  {
    what: 'unknown key in an included fragment',
    files: { 'recipes/app.yaml': 'include: [f]\n' + APP, 'include/f.yaml': 'sumary: x\n' },
    file: 'include/f.yaml',
    code: 'schema-unknown-key',
    line: 1,
    column: 1,
    message: "unknown key 'sumary'",
  },
  // Operators and override names
  {
    what: 'override names after :immediate',
    files: { 'recipes/app.yaml': APP + 'vars:\n  A:immediate:board: x\n' },
    file: 'recipes/app.yaml',
    code: 'var-operator-order',
    line: 4,
    column: 3,
    message: "override names come before ':immediate'",
  },
  {
    what: 'an unset with a value',
    files: { 'recipes/app.yaml': APP + 'vars:\n  A:unset: x\n' },
    file: 'recipes/app.yaml',
    code: 'var-unset-value',
    line: 4,
    column: 3,
    message: "'A:unset' takes no value",
  },
  {
    what: 'misspelt operator',
    files: { 'recipes/app.yaml': APP + 'vars:\n  A:prepnd: x\n' },
    file: 'recipes/app.yaml',
    code: 'var-override-unknown',
    line: 4,
    column: 3,
    message: "'prepnd' is not an override name",
  },
  {
    what: 'two operators',
    files: { 'recipes/app.yaml': APP + 'vars:\n  A:append:remove: x\n' },
    file: 'recipes/app.yaml',
    code: 'var-operator-order',
    line: 4,
    column: 3,
    message: "':append' and ':remove' are two operators",
  },
  {
    what: 'uppercase override name',
    files: { 'recipes/app.yaml': APP + 'vars:\n  A:Board: x\n' },
    file: 'recipes/app.yaml',
    code: 'var-override',
    line: 4,
    column: 3,
    message: "'Board' is not a valid override name",
  },
  {
    what: 'empty override name',
    files: { 'recipes/app.yaml': APP + 'vars:\n  "A::board": x\n' },
    file: 'recipes/app.yaml',
    code: 'var-override',
    line: 4,
    column: 3,
    message: "'' is not a valid override name",
  },
  {
    what: 'unknown override in a machine',
    files: { 'machines/board.yaml': 'arch: aarch64\nvars:\n  X:qemux86: y\n' },
    file: 'machines/board.yaml',
    code: 'var-override-unknown',
    line: 3,
    column: 3,
    message: "'qemux86'",
  },
  {
    what: 'unknown override in a task',
    files: { 'recipes/app.yaml': APP + 'tasks:\n  compile:bord: make\n' },
    file: 'recipes/app.yaml',
    code: 'var-override-unknown',
    line: 4,
    column: 3,
    message: "'bord'",
  },
  {
    what: 'bad variable name',
    files: { 'recipes/app.yaml': APP + 'vars:\n  2FAST: x\n' },
    file: 'recipes/app.yaml',
    code: 'var-name',
    line: 4,
    column: 3,
    message: "'2FAST' is not a valid variable name",
  },
  // Expansion
  {
    what: 'undefined reference in a task script',
    files: { 'recipes/app.yaml': APP + 'tasks:\n  compile: make ${NOPE}\n' },
    file: 'recipes/app.yaml',
    code: 'var-undefined',
    line: 4,
    column: 3,
    message: 'refers to ${NOPE}, which is not set',
  },
  {
    what: 'reference cycle',
    files: { 'recipes/app.yaml': APP + 'vars:\n  A: ${B}\n  B: ${A}\ntasks:\n  compile: echo ${A}\n' },
    file: 'recipes/app.yaml',
    code: 'var-cycle',
    line: 4,
    column: 3,
    message: 'A -> B -> A',
  },
  {
    what: 'malformed reference',
    files: { 'recipes/app.yaml': APP + 'tasks:\n  compile: echo ${A B}\n' },
    file: 'recipes/app.yaml',
    code: 'var-reference',
    line: 4,
    column: 3,
    message: 'is not a valid reference',
  },
  // Layers, classes, includes, recipes, providers
  {
    what: 'unknown class',
    files: { 'recipes/app.yaml': APP + 'inherit: [autotool]\n' },
    file: 'recipes/app.yaml',
    code: 'class-unknown',
    line: 1,
    column: 1,
    message: "class 'autotool' not found",
  },
  {
    what: 'missing include',
    files: { 'recipes/app.yaml': 'include: [nope]\n' + APP },
    file: 'recipes/app.yaml',
    code: 'include-missing',
    line: 1,
    column: 11,
    message: "included file 'nope' not found",
  },
  {
    what: 'unknown layer dependency',
    files: { 'layer.yaml': 'name: core\ndepends: [meta-x]\n' },
    file: 'layer.yaml',
    code: 'layer-dependency',
    line: 2,
    column: 11,
    message: "depends on layer 'meta-x'",
  },
  {
    what: 'unknown dependency recipe',
    files: { 'recipes/app.yaml': APP + 'depends: [zlb]\n', 'recipes/zlib.yaml': 'name: zlib\nversion: "1"\n' },
    file: 'recipes/app.yaml',
    code: 'provider-missing',
    line: 3,
    column: 11,
    message: "nothing provides 'zlb'",
  },
  {
    what: 'append to a missing version',
    files: { 'recipes/app.yaml': APP, 'recipes/app.append.yaml': 'append: app\nversion: "2.%"\n' },
    file: 'recipes/app.append.yaml',
    code: 'append-unmatched',
    line: 1,
    column: 1,
    message: "append for 'app 2.%' matches no recipe",
  },
  {
    what: 'provider choice naming no recipe',
    files: {
      'recipes/app.yaml': APP + 'depends: [virtual/x]\n',
      'recipes/x1.yaml': 'name: x1\nversion: "1"\nprovides: [virtual/x]\n',
      'distros/testdistro.yaml': 'version: "1"\nlibc: musl\nproviders:\n  virtual/x: x2\n',
    },
    file: 'distros/testdistro.yaml',
    code: 'provider-unknown',
    line: 4,
    column: 3,
    message: "the provider chosen for 'virtual/x' is 'x2'",
  },
];

function firstDiagnostic(row: Row): { d: Diagnostic; dir: string; core: string } {
  const s = layerSet(tempDir, { core: { 'recipes/app.yaml': APP, ...row.files } }, row.project ?? '');
  try {
    const cfg = new Configuration(s.project());
    const plan = planBuild(cfg, 'app');
    // Expanding every task script is what the build does next.
    for (const r of plan.recipes) for (const v of r.data.names()) if (v.startsWith('do_')) r.data.get(v);
  } catch (e) {
    if (e instanceof UserError) return { d: e.diagnostics[0], dir: s.dir, core: s.layer('core') };
    throw e;
  }
  throw new Error(`${row.what}: no error`);
}

for (const row of ROWS) {
  test(`${row.what}: ${row.code} at ${row.file}:${row.line}:${row.column}`, () => {
    const { d, dir, core } = firstDiagnostic(row);
    const file = row.file === 'strata.yaml' ? join(dir, 'strata.yaml') : join(core, row.file);
    assert.is(d.code, row.code, `${row.what}: ${d.code}: ${d.message}`);
    assert.ok(d.message.includes(row.message), `message '${d.message}' should contain '${row.message}'`);
    assert.equal(d.location, { file, line: row.line, column: row.column }, formatDiagnostic(d));
    // The printer shows the location and the code on the first line.
    assert.ok(formatDiagnostic(d).startsWith(`${file}:${row.line}:${row.column}: error[${row.code}]`), formatDiagnostic(d));
  });
}

test.run();
