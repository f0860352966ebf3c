import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadProject } from '../../core/config/project.js';
import { UserError } from '../../core/diagnostics/diagnostic.js';
import { assignment, Level } from '../../core/metadata/assignment.js';
import { Configuration } from '../../core/resolve/configuration.js';
import { layerSet } from '../helpers/layer-set.js';
import { scratchDirs } from '../helpers/strata.js';

// Variable semantics as a user writes them, one row per case: `vars:` of a
// class the recipe inherits, the recipe, an append, the distro, the machine,
// strata.yaml, and --set on the command line; then the values Strata must
// give for the recipe `app`. Each row says where its expectation comes from:
//   manual §X — the BitBake user manual, chapter "Syntax and Operators", section X
//   observed  — BitBake's behaviour that the manual does not describe (source named)
//   strata    — a Strata rule that differs from BitBake on purpose (docs/metadata.md says so)
//
// OVERRIDES here, weakest first: musl:aarch64:boardfamily:board:testdistro:pn-app.
// `other`, `otherfamily` and `x86_64` are known names that are never active.

type Expect = string | null | { error: string };
interface Row {
  what: string;
  source: string;
  class?: string;
  /** An include fragment of the recipe: its lines count as written before the recipe's own (the way to write one key twice at one level). */
  fragment?: string;
  recipe?: string;
  append?: string;
  distro?: string;
  machine?: string;
  project?: string;
  cli?: string[];
  expect: Record<string, Expect>;
}

const M = (section: string) => `manual §${section}`;
const COND = M('Conditional Syntax (Overrides): Conditional Metadata');
const EXAMPLES = M('Conditional Syntax (Overrides): Examples');
const APPEND = M('Appending and Prepending (Override Style Syntax)');
const REMOVE = M('Removal (Override Style Syntax)');
const WEAK = M('Setting a weak default value (??=)');
const IMMEDIATE = M('Immediate variable expansion (:=)');
const UNSET = M('Unsetting variables');
const BASIC = M('Basic Variable Setting');
const EXPANSION = M('Variable Expansion');
const LEVELS = 'strata: levels, weakest first: class, recipe, append, distro, machine, project, command line (BitBake: parse order)';

const ROWS: Row[] = [
  // Each operator alone
  { what: 'assign', source: BASIC, recipe: 'A: " v "', expect: { A: ' v ' } },
  { what: 'weak default alone', source: WEAK, recipe: 'A:default: w', expect: { A: 'w' } },
  { what: 'immediate alone', source: IMMEDIATE, fragment: 'T: "123"\nA:immediate: test ${T}', recipe: 'T: "456"', expect: { A: 'test 123', T: '456' } },
  {
    what: 'append to nothing',
    source: `${APPEND}; observed: an append to an unset variable gives the appended text`,
    recipe: 'A:append: x',
    expect: { A: 'x' },
  },
  { what: 'prepend to nothing', source: `${APPEND}; observed, as for append`, recipe: 'A:prepend: x', expect: { A: 'x' } },
  { what: 'remove from nothing', source: REMOVE, recipe: 'A:remove: x', expect: { A: null } },
  { what: 'unset alone', source: UNSET, recipe: 'A:unset:', expect: { A: null } },
  { what: 'override-specific value, active', source: COND, recipe: 'A: base\nA:board: b', expect: { A: 'b' } },
  { what: 'override-specific value, inactive', source: COND, recipe: 'A: base\nA:other: o', expect: { A: 'base' } },
  { what: 'override-specific value with no plain one', source: COND, recipe: 'A:board: b\nY:other: o', expect: { A: 'b', Y: null } },

  // assign and weak default
  { what: 'two assigns: the later wins', source: BASIC, fragment: 'A: one', recipe: 'A: two', expect: { A: 'two' } },
  { what: 'assign then default: the assign', source: WEAK, recipe: 'A: set\nA:default: weak', expect: { A: 'set' } },
  { what: 'default then assign: the assign', source: WEAK, recipe: 'A:default: weak\nA: set', expect: { A: 'set' } },
  {
    what: 'two defaults: the last',
    source: `${WEAK} ("takes effect immediately, replacing any previously defined weak default")`,
    fragment: 'A:default: x',
    recipe: 'A:default: y',
    expect: { A: 'y' },
  },
  {
    what: 'immediate reads the weak default of its time',
    source: `${WEAK}, its W example (with = for ?=)`,
    class: 'W:default: x\nA:immediate: ${W}',
    fragment: 'W:default: y\nB2:immediate: ${W}',
    recipe: 'W:default: z\nC: ${W}\nW: i',
    expect: { A: 'x', B2: 'y', C: 'i', W: 'i' },
  },
  { what: 'append applies after the weak default', source: WEAK, recipe: 'W:default: x\nW:append: y', expect: { W: 'xy' } },
  { what: 'immediate then assign: the later', source: `${IMMEDIATE}; ${BASIC}`, recipe: 'A:immediate: now\nA: later', expect: { A: 'later' } },
  {
    what: 'assign then immediate of itself',
    source: `${IMMEDIATE} (C := "\${C}append")`,
    recipe: 'C: cval\nC:immediate: ${C}append',
    expect: { C: 'cvalappend' },
  },
  {
    what: 'immediate keeps a literal $${x}',
    source: 'strata: $${x} is a literal ${x} (BitBake has no escape)',
    recipe: 'A:immediate: echo $${x}',
    expect: { A: 'echo ${x}' },
  },

  // append and prepend with the others
  {
    what: 'append and prepend add no spaces',
    source: APPEND,
    recipe: 'B: bval\nB:append: " additional data"\nC: cval\nC:prepend: "additional data "\nD: dval\nD:append: additional data',
    expect: { B: 'bval additional data', C: 'additional data cval', D: 'dvaladditional data' },
  },
  {
    what: 'an append before the assign still applies',
    source: `${APPEND} (applied at expansion time); ${M('Override Style Operation Advantages')}`,
    class: 'FOO:append: " val"',
    recipe: 'FOO: initial',
    expect: { FOO: 'initial val' },
  },
  {
    what: 'appends in order, prepends in order',
    source: APPEND,
    fragment: 'A:append: c\nA:prepend: a',
    recipe: 'A: b\nA:append: d\nA:prepend: z',
    expect: { A: 'zabcd' },
  },
  {
    what: 'an immediate value sees the appends written before it',
    source: `${IMMEDIATE}; ${APPEND} (getVar applies pending appends)`,
    recipe: 'A: x\nA:append: "?"\nB:immediate: ${A}!',
    expect: { A: 'x?', B: 'x?!' },
  },
  {
    what: 'an append written before an immediate of its own variable applies again after it',
    source: `${APPEND}; observed: := keeps the pending :append (lib/bb/parse/ast.py sets with parsing=True), so it applies twice`,
    recipe: 'A: x\nA:append: "?"\nA:immediate: ${A}!',
    expect: { A: 'x?!?' },
  },
  {
    what: 'append after an immediate of the same variable',
    source: `${IMMEDIATE}; ${APPEND}`,
    recipe: 'A: x\nA:immediate: ${A}!\nA:append: "?"',
    expect: { A: 'x!?' },
  },
  {
    what: 'remove applies after appends: a removed word cannot come back',
    source: `${REMOVE} (note: order :append, :prepend, :remove)`,
    recipe: 'A: a b\nA:remove: b\nA:append: " b c"',
    expect: { A: 'a   c' },
  },
  { what: 'remove from a prepend', source: REMOVE, recipe: 'A: b\nA:prepend: "a x "\nA:remove: x', expect: { A: 'a  b' } },

  // remove
  {
    what: "the manual's remove example, spacing kept",
    source: REMOVE,
    fragment: 'FOO:remove: "123"',
    recipe: 'FOO: "123 456 789 123456 123 456 123 456"\nFOO:remove: "456"\nFOO2: " abc def ghi abcdef abc def abc def def"\nFOO2:remove: "def\\nabc\\nghi\\n"',
    expect: { FOO: '  789 123456    ', FOO2: '    abcdef     ' },
  },
  {
    what: 'a remove that matches nothing leaves the value unchanged to the byte',
    source: `${REMOVE} ("surrounding spaces and spacing are preserved")`,
    recipe: 'CMDLINE: "console=ttyS0,115200  quiet\\t\\"a b\\" "\nCMDLINE:remove: splash',
    expect: { CMDLINE: 'console=ttyS0,115200  quiet\t"a b" ' },
  },
  {
    what: 'remove ${BAR} removes the value of BAR',
    source: `${REMOVE} (FOO:remove = "\${FOOREMOVE}")`,
    recipe: 'BAR: debug\nA: "x debug y"\nA:remove: ${BAR}',
    expect: { A: 'x  y' },
  },
  {
    what: 'a word that reaches the value through a reference is removed',
    source: `${REMOVE} ("applied at variable expansion time")`,
    recipe: 'BAR: debug\nA: "x ${BAR} y"\nA:remove: debug',
    expect: { A: 'x  y' },
  },
  {
    what: 'the remove argument is read when used',
    source: `${REMOVE} (FOOREMOVE changed later)`,
    fragment: 'R: "1 2 3"\nA: "1 2 3 4"\nA:remove: ${R}',
    recipe: 'R: "1 3"',
    expect: { A: ' 2  4' },
  },
  { what: 'remove drops whole words only', source: REMOVE, recipe: 'A: "foo foobar"\nA:remove: foo', expect: { A: ' foobar' } },
  {
    what: 'removes from the weak default',
    source: `${WEAK} ("override-style appends/prepends/removes are applied after any active weak default")`,
    recipe: 'A:default: "a b"\nA:remove: a',
    expect: { A: ' b' },
  },

  // unset
  {
    what: 'unset forgets everything before it, appends too',
    source: UNSET,
    class: 'A: x\nA:append: " y"',
    recipe: 'A:unset:\nA:append: z',
    expect: { A: 'z' },
  },
  { what: 'unset then assign', source: UNSET, fragment: 'A: x\nA:unset:', recipe: 'A: y', expect: { A: 'y' } },
  {
    what: 'unset forgets override-specific values and defaults',
    source: `${UNSET}; observed: delVar drops the variable's override data (lib/bb/data_smart.py)`,
    recipe: 'A:default: d\nA:board: b\nA:unset:',
    expect: { A: null },
  },
  { what: 'unset of one override-specific value', source: UNSET, recipe: 'A: base\nA:board: b\nA:board:unset:', expect: { A: 'base' } },
  {
    what: 'a conditional unset, active and inactive',
    source: `strata: NAME:unset:<ovr> is an unset when <ovr> is active (BitBake's unset has no condition)`,
    recipe: 'A: x\nA:unset:board:\nY: y\nY:unset:other:',
    expect: { A: null, Y: 'y' },
  },
  { what: 'an unset at a configuration level', source: LEVELS, distro: 'A: distro', machine: 'A:unset:', expect: { A: null } },
  { what: 'an unset after a remove and a prepend', source: UNSET, fragment: 'A: a b\nA:remove: a\nA:prepend: p\nA:unset:', recipe: 'A: c', expect: { A: 'c' } },

  // override-specific values and conditions
  {
    what: 'V:foo:append appends to V:foo, which replaces V',
    source: `${EXAMPLES} (A:foo:append = "X")`,
    recipe: 'A: Z\nA:board:append: X',
    expect: { A: 'X' },
  },
  { what: 'V:append:foo appends to V when foo is active', source: `${EXAMPLES} (A:append:foo = "X")`, recipe: 'A: Z\nA:append:board: X', expect: { A: 'ZX' } },
  {
    what: 'two appends to an override-specific value',
    source: `${EXAMPLES} (A:foo:append twice)`,
    fragment: 'A:board:append: Z',
    recipe: 'A: Y\nA:board:append: X',
    expect: { A: 'ZX' },
  },
  {
    what: 'an override-specific value with its own append, then a conditional append',
    source: `${EXAMPLES}; ${COND}`,
    recipe: 'A: base\nA:board: b\nA:board:append: "+"\nA:append:board: "!"\nA:append: "."',
    expect: { A: 'b+!.' },
  },
  {
    what: 'edits of an inactive override-specific value do nothing',
    source: COND,
    recipe: 'A: base\nA:other:append: x\nA:other:prepend: y',
    expect: { A: 'base' },
  },
  {
    what: 'conditional append needs every name active',
    source: COND,
    recipe: 'A: a\nA:append:aarch64:board: " both"\nA:append:aarch64:other: " never"',
    expect: { A: 'a both' },
  },
  {
    what: 'conditional prepend and remove',
    source: COND,
    recipe: 'A: "a b"\nA:prepend:board: "p "\nA:remove:board: b\nA:remove:other: a',
    expect: { A: 'p a ' },
  },
  {
    what: 'conditional weak default, active and inactive',
    source: `${COND}; ${WEAK}`,
    recipe: 'A:default:board: yes\nY:default:other: no',
    expect: { A: 'yes', Y: null },
  },
  {
    what: 'a remove on an override-specific value applies when it is used',
    source: `${REMOVE}; ${COND}`,
    recipe: 'A: "x y"\nA:board: "x y z"\nA:board:remove: y',
    expect: { A: 'x  z' },
  },
  {
    what: 'the stronger override name wins between one-name keys',
    source: COND,
    recipe: 'A:board: machine\nA:aarch64: arch\nA:musl: libc',
    expect: { A: 'machine' },
  },
  {
    what: 'pn-<recipe> is the strongest name',
    source: "strata: OVERRIDES ends with pn-<recipe> (like BitBake's pn-${PN} in OVERRIDES)",
    recipe: 'A:pn-app: mine\nA:testdistro: distro',
    expect: { A: 'mine' },
  },
  {
    what: 'V:a:b beats V:c even when c is stronger, in either line order',
    source: 'observed: yocto list, "What are _virtual providers?", 2013: VARIABLE:foo1:bar2 beats VARIABLE:car3',
    recipe: 'V:board: c\nV:aarch64:boardfamily: ab\nW:aarch64:boardfamily: ab\nW:board: c',
    expect: { V: 'ab', W: 'ab' },
  },
  {
    what: 'with as many names, the stronger strongest name, then the next',
    source: 'observed: lib/bb/data_smart.py strips override names from the weakest up',
    recipe: 'V:boardfamily:board: bf\nV:aarch64:board: ab\nW:aarch64:board: ab\nW:boardfamily:board: bf',
    expect: { V: 'bf', W: 'bf' },
  },
  {
    what: 'the order of names in a key does not matter',
    source: 'strata: V:a:b and V:b:a are one value (BitBake: two keys that resolve alike)',
    recipe: 'V:board:aarch64: first\nV:aarch64:board: second',
    expect: { V: 'second' },
  },
  {
    what: 'an immediate override-specific value',
    source: `${IMMEDIATE}; ${COND}`,
    class: 'T: t1\nA:board:immediate: ${T}!',
    recipe: 'T: t2\nA: plain',
    expect: { A: 't1!', T: 't2' },
  },
  {
    what: 'a weak default for an override-specific value beats a plain assign',
    source: `${WEAK}; ${COND}; observed: A:foo ??= x makes the value A:foo, which replaces A`,
    recipe: 'A: plain\nA:board:default: d',
    expect: { A: 'd' },
  },
  {
    what: 'an override-specific value beats a plain assign of any level',
    source: `${COND}; ${LEVELS}`,
    class: 'A:board: class-board',
    project: 'A: project',
    cli: ['A=cli'],
    expect: { A: 'class-board' },
  },

  // expansion
  {
    what: 'references are expanded when used',
    source: EXPANSION,
    fragment: 'C: foo',
    recipe: 'A: ${X} baz\nX: ${C} bar\nC: qux',
    expect: { A: 'qux bar baz' },
  },
  {
    what: 'nested references expand the inner one first',
    source: 'observed: lib/bb/data_smart.py expands the innermost ${} first and repeats',
    recipe: 'NAME: FOO\nFOO: foo!\nA: ${${NAME}}\nSUFFIX: x\nprefix_x: px\nB: <${prefix_${SUFFIX}}>',
    expect: { A: 'foo!', B: '<px>' },
  },
  {
    what: 'a nested reference in a remove',
    source: 'observed, as above, with ' + REMOVE,
    recipe: 'WHICH: DROP\nDROP: b\nA: a b c\nA:remove: ${${WHICH}}',
    expect: { A: 'a  c' },
  },
  {
    what: 'an undefined reference',
    source: `strata: an error (BitBake keeps "\${X}" as text, ${EXPANSION})`,
    recipe: 'A: ${NOPE}',
    expect: { A: { error: 'var-undefined' } },
  },
  {
    what: 'an undefined reference in an append only',
    source: 'strata: as above',
    recipe: 'A: a\nA:append: ${NOPE}',
    expect: { A: { error: 'var-undefined' } },
  },
  { what: 'an undefined reference in a remove', source: 'strata: as above', recipe: 'A: a\nA:remove: ${NOPE}', expect: { A: { error: 'var-undefined' } } },
  {
    what: 'a reference cycle through an append',
    source: 'strata: an error (BitBake: "variable references itself")',
    recipe: 'A: ${B}\nB: b\nB:append: ${A}',
    expect: { A: { error: 'var-cycle' } },
  },
  { what: 'a nested reference naming nothing valid', source: 'strata: an error', recipe: 'N: "a b"\nA: ${${N}}', expect: { A: { error: 'var-reference' } } },

  // levels
  {
    what: 'class, then recipe, then append',
    source: LEVELS,
    class: 'A: class\nB: class\nC: class',
    recipe: 'B: recipe\nC: recipe',
    append: 'C: append',
    expect: { A: 'class', B: 'recipe', C: 'append' },
  },
  {
    what: 'distro, then machine, then project, then command line',
    source: LEVELS,
    recipe: 'A: r\nB: r\nC: r\nD: r',
    distro: 'A: distro\nB: distro\nC: distro\nD: distro',
    machine: 'B: machine\nC: machine\nD: machine',
    project: 'C: project\nD: project',
    cli: ['D=cli'],
    expect: { A: 'distro', B: 'machine', C: 'project', D: 'cli' },
  },
  {
    what: 'a weak default from a stronger level loses to an assign from a weaker one',
    source: `${WEAK}; ${LEVELS}`,
    class: 'A: class',
    project: 'A:default: project',
    expect: { A: 'class' },
  },
  {
    what: 'appends from every level, in level order',
    source: `${APPEND}; ${LEVELS}`,
    class: 'A: c',
    recipe: 'A:append: r',
    append: 'A:append: a',
    distro: 'A:append: d',
    machine: 'A:append: m',
    project: 'A:append: p',
    cli: ['A:append=x'],
    expect: { A: 'cradmpx' },
  },
  {
    what: 'a remove at the recipe removes what the project appends',
    source: `${REMOVE}; ${LEVELS}`,
    recipe: 'A: a\nA:remove: b',
    project: 'A:append: " b c"',
    expect: { A: 'a  c' },
  },
  {
    what: 'an append on an override-specific value from the command line',
    source: `${EXAMPLES}; ${LEVELS}`,
    recipe: 'A: base\nA:board: b',
    cli: ['A:board:append=+'],
    expect: { A: 'b+' },
  },
  {
    what: 'an unset in the recipe cancels the class, not the machine',
    source: `strata: differs from BitBake, where configuration is parsed first; the recipe's unset is an error then`,
    class: 'A: class',
    recipe: 'A:unset:',
    machine: 'A: machine',
    expect: { A: { error: 'var-unset-stronger' } },
  },
  {
    what: 'an unset in an append cancels the recipe and classes',
    source: `${UNSET}; ${LEVELS}`,
    class: 'A: class',
    recipe: 'A: recipe\nA:append: " more"',
    append: 'A:unset:\nA:append: fresh',
    expect: { A: 'fresh' },
  },
  {
    what: 'an unset on the command line forgets every level, then appends after it apply',
    source: `${UNSET}; ${LEVELS}`,
    class: 'A: c',
    recipe: 'A:board: r',
    machine: 'A:append: m',
    project: 'A: p',
    cli: ['A:unset=', 'A:append=x'],
    expect: { A: 'x' },
  },
  {
    what: 'a class immediate value sees built-ins, not the recipe',
    source: `strata: classes come before the recipe's own lines, as if inherit were its first line`,
    class: 'A:immediate: ${MACHINE}\nB2:immediate: ${R}',
    recipe: 'R: r',
    expect: { A: 'board', B2: { error: 'var-undefined' } },
  },
  {
    what: 'a recipe immediate value reading a machine variable is an error',
    source: `strata: differs from BitBake, whose := in a recipe sees machine values (configuration is parsed first)`,
    recipe: 'A:immediate: ${M}',
    machine: 'M: m',
    class: 'M: class',
    expect: { A: { error: 'var-immediate-stronger' } },
  },
  {
    what: 'a machine immediate value sees the distro',
    source: `${IMMEDIATE}; ${LEVELS}`,
    distro: 'D: distro',
    machine: 'A:immediate: ${D}-m\nD: later',
    expect: { A: 'distro-m', D: 'later' },
  },
  {
    what: 'a project immediate value sees the recipe',
    source: `${IMMEDIATE}; ${LEVELS}`,
    recipe: 'R: r',
    project: 'A:immediate: ${R}-p',
    expect: { A: 'r-p' },
  },
];

const tempDir = scratchDirs(test);
const block = (text?: string) =>
  text
    ? `vars:\n${text
        .split('\n')
        .map((l) => `  ${l}`)
        .join('\n')}\n`
    : '';

function valuesOf(row: Row): Record<string, Expect> {
  const s = layerSet(
    tempDir,
    {
      core: {
        'machines/board.yaml': `arch: aarch64\noverrides: [boardfamily]\n${block(row.machine)}`,
        'machines/other.yaml': 'arch: x86_64\noverrides: [otherfamily]\n',
        'distros/testdistro.yaml': `version: "1"\nlibc: musl\n${block(row.distro)}`,
        'classes/base.yaml': block(row.class) || 'vars: {}\n',
        'recipes/frag.inc.yaml': block(row.fragment) || 'vars: {}\n',
        'recipes/app.yaml': `include: [frag]\nname: app\nversion: "1"\ninherit: [base]\n${block(row.recipe)}`,
        ...(row.append ? { 'recipes/app.append.yaml': `append: app\n${block(row.append)}` } : {}),
      },
    },
    block(row.project),
  );
  const vars = (row.cli ?? []).map((text, i) =>
    assignment(text.slice(0, text.indexOf('=')), text.slice(text.indexOf('=') + 1), Level.CommandLine, { file: '<command line>', line: 0, column: i + 1 }),
  );
  const data = new Configuration(loadProject(s.dir, { vars })).recipe('app').data;
  const out: Record<string, Expect> = {};
  for (const name of Object.keys(row.expect)) {
    try {
      out[name] = data.has(name) ? data.get(name) : null;
    } catch (e) {
      if (!(e instanceof UserError)) throw e;
      out[name] = { error: e.diagnostics[0].code };
    }
  }
  return out;
}

for (const row of ROWS) {
  test(`${row.what} (${row.source})`, () => {
    assert.equal(valuesOf(row), row.expect, row.what);
  });
}

test('every operator appears in the table, alone and at every level', () => {
  const text = ROWS.map((r) => [r.class, r.fragment, r.recipe, r.append, r.distro, r.machine, r.project, ...(r.cli ?? [])].join('\n')).join('\n');
  for (const op of ['default', 'immediate', 'append', 'prepend', 'remove', 'unset']) assert.ok(text.includes(`:${op}`), op);
  for (const level of ['class', 'recipe', 'append', 'distro', 'machine', 'project', 'cli'] as const)
    assert.ok(
      ROWS.some((r) => r[level] !== undefined),
      level,
    );
});

test.run();
