import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { layerSet } from '../helpers/layer-set.js';
import { diagOf } from '../helpers/diagnostics.js';
import { scratchDirs, strata } from '../helpers/strata.js';
import { Configuration } from '../../core/resolve/configuration.js';
import { planImage } from '../../core/graph/plan.js';
import { UserError } from '../../core/diagnostics/diagnostic.js';
import type { RootfsManifest } from '../../core/rootfs/manifest.js';

// The distro's `init:` chooses the init system: every image of the distro
// installs the package group `packagegroup-init-<value>` and its closure.
// Each value against the packages an image gets, then the bad values, each
// an error at the distro's `init:` line before anything is built. The layer
// has two usable init systems (`tiny`, `sv`), one whose recipes are missing
// (`s6`, as in Strata's own layers: Debian's archive lacks its sources), and
// an image that installs only `shell`.

const tempDir = scratchDirs(test);

const recipe = (name: string) =>
  `name: ${name}\nversion: "1"\nlicense: MIT\ntasks:\n  install: mkdir -p $D/usr/share/${name} && echo ${name} > $D/usr/share/${name}/file\npackages:\n  ${name}: [/usr/**]\n`;
const group = (name: string, members: string) => `name: ${name}\nversion: "1"\nlicense: MIT\nrdepends:\n  ${name}: ${members}\n`;

const layers = (init: string) => ({
  core: {
    'distros/testdistro.yaml': `version: "1"\nlibc: musl\n${init}`,
    'recipes/kernel.yaml':
      'name: kernel\nversion: "1"\nprovides: [virtual/kernel]\ntasks:\n  install: mkdir -p $D/boot && echo kernel > $D/boot/Image\npackages:\n  kernel-image: [/boot/**]\n',
    'recipes/shell.yaml': recipe('shell'),
    'recipes/tinyinit.yaml': recipe('tinyinit'),
    'recipes/runsv.yaml': recipe('runsv'),
    'recipes/packagegroup-init-tiny.yaml': group('packagegroup-init-tiny', '[tinyinit]'),
    'recipes/packagegroup-init-sv.yaml': group('packagegroup-init-sv', '[runsv, shell]'),
    'recipes/packagegroup-init-s6.yaml': group('packagegroup-init-s6', '[s6-stage1]'),
    'recipes/s6-stage1.yaml': `${recipe('s6-stage1')}rdepends:\n  s6-stage1: [s6, execline]\n`,
    'images/img.yaml': 'install: [shell]\ntypes: [tar.gz]\n',
  },
});

const planned = (init: string) => {
  const s = layerSet(tempDir, layers(init));
  const cfg = new Configuration(s.project());
  return { s, cfg, plan: () => planImage(cfg, cfg.image('img')) };
};

const GOOD: [init: string, packages: string[]][] = [
  ['', ['shell']],
  ['init: none\n', ['shell']],
  ['init: tiny\n', ['packagegroup-init-tiny', 'shell', 'tinyinit']],
  ['init: sv\n', ['packagegroup-init-sv', 'runsv', 'shell']],
];

for (const [init, packages] of GOOD) {
  test(`init ${JSON.stringify(init.trim() || '(none written)')} installs ${packages.join(', ')}`, () => {
    const { plan } = planned(init);
    const p = plan();
    assert.equal(
      p.packages.map((x) => x.name),
      packages,
    );
    // The group comes first among the roots, at the distro's init line.
    if (packages[0].startsWith('packagegroup-init-')) {
      assert.equal(
        p.roots.map((r) => r.name),
        [packages[0], 'shell'],
      );
      assert.is(p.roots[0].at.line, 3);
    } else
      assert.equal(
        p.roots.map((r) => r.name),
        ['shell'],
      );
  });
}

const KNOWN = 'known values: sv, tiny, none';
const BAD: { init: string; code: string; message: string | RegExp; col: number; hint?: string; related?: RegExp }[] = [
  {
    init: 'init: tinny\n',
    code: 'distro-init-unknown',
    message: "unknown init system 'tinny': no recipe makes the package group 'packagegroup-init-tinny'",
    col: 7,
    hint: "did you mean 'tiny'?",
  },
  { init: 'init: systemd\n', code: 'distro-init-unknown', message: "unknown init system 'systemd'", col: 7, hint: KNOWN },
  {
    init: 'init: s6\n',
    code: 'distro-init-unavailable',
    message: "init system 's6' is not available: its package group needs 's6', which no recipe makes",
    col: 7,
    hint: KNOWN,
    related: /s6-stage1\.yaml$/,
  },
  { init: 'init: ""\n', code: 'schema-value', message: 'expected a non-empty string', col: 7 },
  { init: 'init: [tiny]\n', code: 'schema-type', message: /expected a string/, col: 7 },
];

for (const bad of BAD) {
  test(`bad init ${JSON.stringify(bad.init.trim())}: ${bad.code} at the distro's init line`, () => {
    const d = diagOf(() => planned(bad.init).plan());
    assert.is(d.code, bad.code);
    assert.match(d.message, bad.message);
    assert.ok(d.location?.file.endsWith(join('core', 'distros', 'testdistro.yaml')), d.location?.file);
    assert.is(d.location?.line, 3);
    assert.is(d.location?.column, bad.col);
    if (bad.hint) assert.match(d.hint ?? '', bad.hint);
    if (bad.related) {
      assert.match(d.related?.[0]?.location?.file ?? '', bad.related);
      assert.match(d.related?.[0]?.message ?? '', 's6-stage1 depends on s6');
    }
  });
}

test('a real build: the init group is in the rootfs manifest; a bad init fails before any task runs', async () => {
  const s = layerSet(tempDir, layers('init: sv\n'));
  const r = await strata(['build', 'img'], { cwd: s.dir });
  assert.is(r.code, 0, r.stdout + r.stderr);
  const manifest = JSON.parse(readFileSync(join(s.dir, 'build/work/board/img-image/rootfs/manifest.json'), 'utf8')) as RootfsManifest;
  assert.equal(
    manifest.packages.map((p) => p.name),
    ['packagegroup-init-sv', 'runsv', 'shell'],
  );
  assert.ok(manifest.entries.some((e) => e.path === '/usr/share/runsv/file'));

  const bad = layerSet(tempDir, layers('init: s6\n'));
  const b = await strata(['build', 'img'], { cwd: bad.dir });
  assert.is(b.code, 2, b.stdout + b.stderr);
  assert.match(b.stderr, /testdistro\.yaml:3:7: error\[distro-init-unavailable\]/);
  assert.not.ok(existsSync(join(bad.dir, 'build/work')), 'nothing was built');
});

test('a recipe build does not read the init system', () => {
  const { cfg } = planned('init: nosuch\n');
  assert.not.throws(() => cfg.recipe('shell'));
  assert.throws(
    () => planImage(cfg, cfg.image('img')),
    (e: unknown) => e instanceof UserError,
  );
});

test.run();
