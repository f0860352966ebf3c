import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkFragments, fragmentSyntaxDiagnostics, kconfigDiagnostics } from '../../core/kernel/fragment-check.js';
import { diffConfigFragment } from '../../core/kernel/diffconfig.js';
import { parseDotConfig, parseFragment } from '../../core/kernel/kconfig-file.js';

// The check that runs after merge_config.sh: every option a fragment asks
// for must be in the final .config with that value, else an error at the
// fragment line (Yocto only warns).

const FINAL = [
  '# Automatically generated file; DO NOT EDIT.',
  'CONFIG_PRINTK=y',
  'CONFIG_MODULES=y',
  'CONFIG_BLK_DEV_LOOP=m',
  'CONFIG_EXT4_FS=y',
  '# CONFIG_DEBUG_FS is not set',
  'CONFIG_CMDLINE="console=ttyS0 quiet"',
  'CONFIG_LOG_BUF_SHIFT=14',
  'CONFIG_PHYS_OFFSET=0x80000000',
  '',
].join('\n');
const config = parseDotConfig(FINAL);

test('fragments are read line by line: values, "is not set", comments and blank lines', () => {
  const { requests, errors } = parseFragment('# a comment\n\nCONFIG_A=y\n# CONFIG_B is not set\nCONFIG_C="x y"\n  CONFIG_D=0x10  \n', 'board.cfg');
  assert.equal(
    requests.map((r) => [r.option, r.value, r.line]),
    [
      ['CONFIG_A', 'y', 3],
      ['CONFIG_B', 'n', 4],
      ['CONFIG_C', '"x y"', 5],
      ['CONFIG_D', '0x10', 6],
    ],
  );
  assert.equal(errors, []);
});

test('lines that are not Kconfig are errors at their line, not silently skipped', () => {
  const { requests, errors } = parseFragment('CONFIG_OK=y\nCONFIG_TYPO y\nVIRTIO=y\n#CONFIG_X is not set\n', '/l/x.cfg');
  assert.is(requests.length, 1);
  assert.equal(
    errors.map((e) => e.line),
    [2, 3],
  );
  const d = fragmentSyntaxDiagnostics(errors, 'linux');
  assert.is(d[0].code, 'kconfig-fragment-syntax');
  assert.equal(d[0].location, { file: '/l/x.cfg', line: 2, column: 1 });
  assert.match(d[0].message, 'CONFIG_TYPO y');
});

// [fragment text, expected problems as `option kind actual`]
const CASES: [string, string, string[]][] = [
  [
    'everything held',
    'CONFIG_PRINTK=y\nCONFIG_BLK_DEV_LOOP=m\n# CONFIG_DEBUG_FS is not set\nCONFIG_CMDLINE="console=ttyS0 quiet"\nCONFIG_LOG_BUF_SHIFT=14\nCONFIG_PHYS_OFFSET=0x80000000\n',
    [],
  ],
  ['an option the .config does not have at all is dropped', 'CONFIG_VIRTIO_BLK=y\n', ['CONFIG_VIRTIO_BLK dropped undefined']],
  ['off in .config is dropped', 'CONFIG_DEBUG_FS=y\n', ['CONFIG_DEBUG_FS dropped n']],
  ['asked off, absent from .config: holds (absent means off)', '# CONFIG_NOT_THERE is not set\n', []],
  ['asked off but on (something selects it)', '# CONFIG_EXT4_FS is not set\n', ['CONFIG_EXT4_FS changed y']],
  ['asked m, built in', 'CONFIG_EXT4_FS=m\n', ['CONFIG_EXT4_FS changed y']],
  ['asked y, module', 'CONFIG_BLK_DEV_LOOP=y\n', ['CONFIG_BLK_DEV_LOOP changed m']],
  ['a number Kconfig changed', 'CONFIG_LOG_BUF_SHIFT=17\n', ['CONFIG_LOG_BUF_SHIFT changed 14']],
  ['a string Kconfig changed', 'CONFIG_CMDLINE="console=ttyAMA0"\n', ['CONFIG_CMDLINE changed "console=ttyS0 quiet"']],
  ['the last of two settings is what counts', 'CONFIG_DEBUG_FS=y\n# CONFIG_DEBUG_FS is not set\n', []],
  ['the last of two settings is what counts, the other way', '# CONFIG_DEBUG_FS is not set\nCONFIG_DEBUG_FS=y\n', ['CONFIG_DEBUG_FS dropped n']],
];

for (const [name, fragment, expected] of CASES) {
  test(`check: ${name}`, () => {
    const problems = checkFragments(parseFragment(fragment, 'f.cfg').requests, config);
    assert.equal(
      problems.map((p) => `${p.request.option} ${p.kind} ${p.actual}`),
      expected,
    );
  });
}

test('problems from several fragments come out in file then line order, each at its own line', () => {
  const a = parseFragment('CONFIG_PRINTK=y\nCONFIG_B_MISSING=y\n', '/layers/bsp/a.cfg').requests;
  const b = parseFragment('CONFIG_A_MISSING=y\n', '/layers/bsp/b.cfg').requests;
  const diags = kconfigDiagnostics(checkFragments([...b, ...a], config), 'linux');
  assert.equal(
    diags.map((d) => [d.code, d.location?.file, d.location?.line]),
    [
      ['kconfig-dropped', '/layers/bsp/a.cfg', 2],
      ['kconfig-dropped', '/layers/bsp/b.cfg', 1],
    ],
  );
  assert.match(diags[0].message, 'linux: CONFIG_B_MISSING=y was dropped');
  assert.match(diags[0].hint!, 'strata menuconfig linux');
});

test('a changed value says what it became', () => {
  const [d] = kconfigDiagnostics(checkFragments(parseFragment('CONFIG_EXT4_FS=m\n', 'x.cfg').requests, config), 'linux');
  assert.is(d.code, 'kconfig-changed');
  assert.match(d.message, 'CONFIG_EXT4_FS=m became CONFIG_EXT4_FS=y');
  assert.match(d.hint!, 'CONFIG_MODULES');
});

test('diffconfig writes only what changed, as a fragment that the check accepts against the new .config', () => {
  const after =
    FINAL.replace('# CONFIG_DEBUG_FS is not set', 'CONFIG_DEBUG_FS=y')
      .replace('CONFIG_BLK_DEV_LOOP=m\n', '')
      .replace('CONFIG_LOG_BUF_SHIFT=14', 'CONFIG_LOG_BUF_SHIFT=17') + 'CONFIG_NEW=y\n';
  const fragment = diffConfigFragment(FINAL, after);
  assert.is(
    fragment,
    'CONFIG_DEBUG_FS=y\nCONFIG_LOG_BUF_SHIFT=17\nCONFIG_NEW=y\n# CONFIG_BLK_DEV_LOOP is not set\n'.split('\n').filter(Boolean).sort().join('\n') + '\n',
  );
  const { requests, errors } = parseFragment(fragment, 'diff.cfg');
  assert.equal(errors, []);
  assert.equal(checkFragments(requests, parseDotConfig(after)), []);
  assert.is(diffConfigFragment(FINAL, FINAL), '');
});

test.run();
