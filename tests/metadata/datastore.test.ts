import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { assignment, Level, type Assignment } from '../../core/metadata/assignment.js';
import { DataStore, type Effect } from '../../core/metadata/datastore.js';
import { UserError } from '../../core/diagnostics/diagnostic.js';

// DataStore semantics: precedence by level and order, weak defaults,
// operators, overrides, history and lazy `${}` expansion.

const FILE = 'fixture.yaml';
const at = (line: number, file = FILE) => ({ file, line, column: 3 });
const a = (key: string, value: string, level: Level, line: number, file = FILE): Assignment => assignment(key, value, level, at(line, file));

/** OVERRIDES as a qemuarm64/strata build of `hello` would have them, weakest first. */
const OVR = ['musl', 'aarch64', 'qemuall', 'qemuarm64', 'strata', 'pn-hello'];

const effects = (ds: DataStore, name: string): [string, Effect][] =>
  ds.history(name).map((h) => [`${h.assignment.loc.file}:${h.assignment.loc.line}`, h.effect]);

function userError(fn: () => unknown): UserError {
  try {
    fn();
  } catch (e) {
    if (e instanceof UserError) return e;
    throw e;
  }
  throw new Error('expected a UserError, nothing was thrown');
}

test('plain set: the last one wins, by level first and then by order', () => {
  const ds = new DataStore(
    [
      a('A', 'recipe-1', Level.Recipe, 1),
      a('A', 'machine', Level.Machine, 2, 'm.yaml'),
      a('A', 'recipe-2', Level.Recipe, 3),
      a('A', 'class', Level.Class, 4, 'c.yaml'),
    ],
    OVR,
  );
  assert.is(ds.get('A'), 'machine');
  const byLevel = new DataStore([a('B', 'one', Level.Recipe, 1), a('B', 'two', Level.Recipe, 2)], OVR);
  assert.is(byLevel.get('B'), 'two', 'same level: later in file order wins');
  assert.equal(effects(ds, 'A'), [
    ['c.yaml:4', 'overridden'],
    [`${FILE}:1`, 'overridden'],
    [`${FILE}:3`, 'overridden'],
    ['m.yaml:2', 'final'],
  ]);
});

test('weak default applies only when nothing sets the variable', () => {
  const only = new DataStore([a('A:default', 'fallback', Level.Project, 1)], OVR);
  assert.is(only.get('A'), 'fallback');
  const ds = new DataStore(
    [
      a('A', 'from-class', Level.Class, 1),
      a('A:default', 'fallback', Level.Project, 2),
      a('B:default', 'd1', Level.Class, 3),
      a('B:default', 'd2', Level.Recipe, 4),
    ],
    OVR,
  );
  assert.is(ds.get('A'), 'from-class', 'a plain set at a weaker level still beats a default');
  assert.equal(effects(ds, 'A'), [
    [`${FILE}:1`, 'final'],
    [`${FILE}:2`, 'ignored'],
  ]);
  assert.is(ds.get('B'), 'd2', 'the last default wins among defaults');
  assert.not.ok(ds.has('C'));
  assert.is(ds.raw('C'), undefined);
  assert.is(ds.getOr('C', 'none'), 'none');
});

test('append and prepend add text without spaces, in order; history says applied', () => {
  const ds = new DataStore(
    [a('A', 'b', Level.Recipe, 1), a('A:append', ' c', Level.Recipe, 2), a('A:prepend', 'a ', Level.Recipe, 3), a('A:append', ' d', Level.Machine, 4)],
    OVR,
  );
  assert.is(ds.get('A'), 'a b c d');
  assert.equal(
    effects(ds, 'A').map((e) => e[1]),
    ['final', 'applied', 'applied', 'applied'],
  );
  const noBase = new DataStore([a('X:append', 'tail', Level.Recipe, 1)], OVR);
  assert.is(noBase.get('X'), 'tail', 'append to an unset variable');
});

test('remove drops whole words only, and keeps every separator (as BitBake does; issue 13)', () => {
  const ds = new DataStore(
    [a('A', 'foo foobar bar  foo baz', Level.Recipe, 1), a('A:remove', 'foo baz', Level.Machine, 2), a('A:append', ' baz', Level.Project, 3)],
    OVR,
  );
  assert.is(ds.get('A'), ' foobar bar    ', 'foobar survives; removals apply after appends; the spaces stay');
  assert.equal(
    effects(ds, 'A').map((e) => e[1]),
    ['final', 'applied', 'applied'],
  );
});

test('a conditional set beats a plain set whatever the level and order', () => {
  const ds = new DataStore([a('A:aarch64', 'arm', Level.Class, 1), a('A', 'plain', Level.Project, 2), a('A', 'cmdline', Level.CommandLine, 3)], OVR);
  assert.is(ds.get('A'), 'arm');
  assert.equal(effects(ds, 'A'), [
    [`${FILE}:1`, 'final'],
    [`${FILE}:2`, 'overridden'],
    [`${FILE}:3`, 'overridden'],
  ]);
});

test('between two conditional sets the stronger override (later in OVERRIDES) wins', () => {
  const ds = new DataStore(
    [a('A:qemuarm64', 'machine', Level.Recipe, 1), a('A:aarch64', 'arch', Level.Project, 2), a('A:musl', 'libc', Level.CommandLine, 3)],
    OVR,
  );
  assert.is(ds.get('A'), 'machine');
  const flipped = new DataStore([a('A:qemuarm64', 'machine', Level.Recipe, 1), a('A:aarch64', 'arch', Level.Project, 2)], ['musl', 'qemuarm64', 'aarch64']);
  assert.is(flipped.get('A'), 'arch', 'strength comes from the OVERRIDES order, not from the name');
  const pn = new DataStore([a('A:strata', 'distro', Level.Project, 1), a('A:pn-hello', 'recipe', Level.Class, 2)], OVR);
  assert.is(pn.get('A'), 'recipe', 'pn-<recipe> is the strongest');
  const tie = new DataStore([a('A:aarch64', 'first', Level.Machine, 1), a('A:aarch64', 'second', Level.Recipe, 2)], OVR);
  assert.is(tie.get('A'), 'first', 'on a tie the later by level wins');
});

test('conditional operators apply only when every override is active; the others are inactive', () => {
  const ds = new DataStore(
    [
      a('A', 'base', Level.Recipe, 1),
      a('A:append:aarch64', ' arm', Level.Recipe, 2),
      a('A:append:x86-64', ' x86', Level.Recipe, 3),
      a('A:append:aarch64:qemuarm64', ' virt', Level.Recipe, 4),
      a('A:append:aarch64:raspberrypi', ' rpi', Level.Recipe, 5),
      a('A:x86-64', 'never', Level.Project, 6),
      a('A:remove:x86-64', 'base', Level.Project, 7),
    ],
    OVR,
  );
  assert.is(ds.get('A'), 'base arm virt');
  assert.equal(effects(ds, 'A'), [
    [`${FILE}:1`, 'final'],
    [`${FILE}:2`, 'applied'],
    [`${FILE}:3`, 'inactive'],
    [`${FILE}:4`, 'applied'],
    [`${FILE}:5`, 'inactive'],
    [`${FILE}:6`, 'inactive'],
    [`${FILE}:7`, 'inactive'],
  ]);
});

test('history keeps each assignment with its operator, overrides, level and file:line:col', () => {
  const ds = new DataStore(
    [
      a('A:default', 'd', Level.Class, 9, 'classes/x.yaml'),
      a('A', 'v', Level.Recipe, 12, 'recipes/r.yaml'),
      a('A:append:aarch64', '!', Level.Machine, 4, 'machines/m.yaml'),
    ],
    OVR,
  );
  const h = ds.history('A');
  assert.is(h.length, 3);
  assert.equal(
    h.map((e) => ({ op: e.assignment.op, ovr: e.assignment.overrides, level: e.assignment.level, loc: e.assignment.loc, effect: e.effect })),
    [
      { op: 'default', ovr: [], level: Level.Class, loc: { file: 'classes/x.yaml', line: 9, column: 3 }, effect: 'ignored' },
      { op: 'set', ovr: [], level: Level.Recipe, loc: { file: 'recipes/r.yaml', line: 12, column: 3 }, effect: 'final' },
      { op: 'append', ovr: ['aarch64'], level: Level.Machine, loc: { file: 'machines/m.yaml', line: 4, column: 3 }, effect: 'applied' },
    ],
  );
  assert.is(ds.get('A'), 'v!');
  assert.equal(ds.history('UNSET'), []);
});

test('${VAR} is expanded lazily: undefined references elsewhere do not matter until used', () => {
  const ds = new DataStore(
    [
      a('S', '${WORKDIR}/${PN}-${PV}', Level.Class, 1),
      a('WORKDIR', '/work/${PN}', Level.Recipe, 2),
      a('PN', 'hello', Level.Recipe, 3),
      a('PV', '1.0', Level.Recipe, 4),
      a('BROKEN', '${NOPE}', Level.Recipe, 5),
    ],
    OVR,
  );
  assert.is(ds.raw('S'), '${WORKDIR}/${PN}-${PV}', 'raw is unexpanded');
  assert.is(ds.get('S'), '/work/hello/hello-1.0');
  // A later assignment to a referenced variable is seen, since nothing is expanded at assignment time.
  const late = new DataStore([a('A', 'x-${B}', Level.Recipe, 1), a('B', 'early', Level.Recipe, 2), a('B', 'late', Level.Project, 3)], OVR);
  assert.is(late.get('A'), 'x-late');
  assert.throws(
    () => ds.get('BROKEN'),
    (e: unknown) => e instanceof UserError && e.diagnostics[0].code === 'var-undefined',
  );
});

test('a reference cycle is an error naming the chain A -> B -> A', () => {
  const ds = new DataStore([a('A', 'a${B}', Level.Recipe, 1), a('B', 'b${A}', Level.Recipe, 2), a('C', '${C}', Level.Recipe, 3)], OVR);
  const e = userError(() => ds.get('A'));
  const d = e.diagnostics[0];
  assert.is(d.code, 'var-cycle');
  assert.match(d.message, 'A -> B -> A');
  assert.equal(d.location, at(1));
  assert.equal(
    d.related?.map((r) => [r.message, r.location?.line]),
    [
      ['A refers to ${B} here', 1],
      ['B refers to ${A} here', 2],
    ],
  );
  const self = userError(() => ds.get('C')).diagnostics[0];
  assert.is(self.code, 'var-cycle');
  assert.match(self.message, 'C -> C');
});

test('an undefined reference in a script is an error naming the variable and where', () => {
  const ds = new DataStore([a('PN', 'hello', Level.Recipe, 1)], OVR);
  const where = at(7, 'recipes/hello.yaml');
  const e = userError(() => ds.expand('echo ${PN}\nmake ${MISSING_FLAGS}\n', { where: 'task compile', loc: where }));
  const d = e.diagnostics[0];
  assert.is(d.code, 'var-undefined');
  assert.match(d.message, 'MISSING_FLAGS');
  assert.match(d.message, 'task compile');
  assert.equal(d.location, where);
  assert.match(d.hint ?? '', '$MISSING_FLAGS');
  const direct = userError(() => ds.get('NOT_SET')).diagnostics[0];
  assert.is(direct.code, 'var-undefined');
  assert.match(direct.message, 'NOT_SET');
});

test('$${X} stays a literal ${X}, even when X is set or is not', () => {
  const ds = new DataStore([a('X', 'expanded', Level.Recipe, 1), a('SCRIPT', 'for f in *; do echo $${f} $${X} ${X}; done', Level.Recipe, 2)], OVR);
  assert.is(ds.get('SCRIPT'), 'for f in *; do echo ${f} ${X} expanded; done');
  assert.is(ds.expand('a $${UNDEFINED_ONE} b $PLAIN', { where: 'test' }), 'a ${UNDEFINED_ONE} b $PLAIN');
  const bad = userError(() => ds.expand('x ${not valid}', { where: 'test' })).diagnostics[0];
  assert.is(bad.code, 'var-reference');
});

test('referencesOf: every variable a text uses, through other values, but not $${literals}', () => {
  const ds = new DataStore(
    [
      a('A', '${B} and ${C}', Level.Recipe, 1),
      a('B', '${D}', Level.Recipe, 2),
      a('C', 'plain $${NOT}', Level.Recipe, 3),
      a('D', 'd', Level.Recipe, 4),
      a('E', 'unused', Level.Recipe, 5),
    ],
    OVR,
  );
  assert.equal(ds.referencesOf('make ${A} $${SHELLVAR}'), ['A', 'B', 'C', 'D']);
  assert.equal(ds.referencesOf('no references'), []);
});

test('referencesOf follows nested references and remove arguments; unexpanded carries the removes (task signatures)', () => {
  const ds = new DataStore(
    [
      a('WHICH', 'TOOL', Level.Recipe, 1),
      a('TOOL', 'gcc ${OPT}', Level.Recipe, 2),
      a('OPT', '-O2', Level.Recipe, 3),
      a('S', '${${WHICH}} x', Level.Recipe, 4),
      a('S:remove', '${DROP}', Level.Recipe, 5),
      a('DROP', 'x', Level.Recipe, 6),
    ],
    OVR,
  );
  assert.equal(ds.referencesOf('run ${S}'), ['DROP', 'OPT', 'S', 'TOOL', 'WHICH']);
  assert.is(ds.get('S'), 'gcc -O2 ');
  assert.is(ds.raw('S'), '${${WHICH}} x', 'raw is before expansion and before removes');
  assert.is(ds.unexpanded('S'), JSON.stringify({ value: '${${WHICH}} x', remove: ['${DROP}'] }));
  assert.is(ds.unexpanded('OPT'), '-O2', 'without removes, unexpanded is the raw value (signatures of other tasks unchanged)');
});

test('an undefined reference points at the assignment that holds it, not at the base value', () => {
  const ds = new DataStore(
    [
      a('A', 'a', Level.Recipe, 1),
      a('A:append', ' ${X}', Level.Machine, 7, 'm.yaml'),
      a('B', 'b', Level.Recipe, 2),
      a('B:remove:aarch64', '${Y}', Level.Recipe, 3),
    ],
    OVR,
  );
  const d = userError(() => ds.get('A')).diagnostics[0];
  assert.equal([d.code, d.location], ['var-undefined', at(7, 'm.yaml')]);
  const r = userError(() => ds.get('B')).diagnostics[0];
  assert.equal([r.code, r.location], ['var-undefined', at(3)]);
  assert.match(r.message, 'B:remove:aarch64 refers to ${Y}');
});

test('the override-specific value chosen does not depend on line order or level (every permutation)', () => {
  const keys = ['A:qemuarm64', 'A:aarch64:strata', 'A:musl:pn-hello', 'A:qemuall:qemuarm64', 'A:musl:aarch64', 'A:x86-64:aarch64:strata:pn-hello'];
  const permutations = (xs: string[]): string[][] =>
    xs.length <= 1 ? [xs] : xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));
  const seen = new Set<string>();
  for (const order of permutations(keys)) {
    const ds = new DataStore(
      order.map((k, i) => a(k, k, (i % 3) as Level, i + 1)),
      OVR,
    );
    seen.add(ds.get('A'));
  }
  // Two names each; the strongest names are pn-hello (musl:pn-hello), then strata, then qemuarm64.
  assert.equal([...seen], ['A:musl:pn-hello']);
});

test.run();
