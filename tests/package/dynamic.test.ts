import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scratchDirs } from '../helpers/strata.js';
import { dynamicFileRegExp, dynamicPackageName, legitimizePackageName, matchesPackagePattern, splitDynamic } from '../../core/package/dynamic.js';
import { makePackages, type RecipePackaging } from '../../core/package/make-packages.js';
import { moduleDepends, parseModulesDep } from '../../core/package/modules-dep.js';
import { walkTree, type TreeEntry } from '../../core/package/walk.js';
import { NO_DECLARATIONS } from '../../core/metadata/declarations.js';
import type { DynamicPackageSpec } from '../../core/metadata/body.js';

// Dynamic packages (`packages-dynamic:`, Yocto's PACKAGES_DYNAMIC and
// do_split_packages): names from file names, the split, and run-time
// dependencies between kernel modules from modules.dep.

const tempDir = scratchDirs(test);
const EPOCH = 1704067200;
const loc = (line: number) => ({ file: '/layers/x/linux.yaml', line, column: 5 });
const KO = '/lib/modules/*/kernel/**/%.ko';

const dyn = (over: Partial<DynamicPackageSpec> = {}): DynamicPackageSpec => ({
  pattern: 'kernel-module-%',
  files: [KO],
  fileLocs: [loc(20)],
  rdepends: [],
  rdependsAt: [],
  rdependsFrom: 'modules.dep',
  loc: loc(19),
  ...over,
});

test('names: Yocto legitimize_package_name, then the pattern', () => {
  const table: [string, string][] = [
    ['virtio_net', 'virtio-net'],
    ['virtio-net', 'virtio-net'],
    ['crc32c_generic', 'crc32c-generic'],
    ['Nf_Conntrack_FTP', 'nf-conntrack-ftp'],
    ['snd-soc-wm8994@0', 'snd-soc-wm8994+0'],
    ['a,b', 'a+b'],
    ['x/y', 'x-y'],
    ['has space', 'has space'],
  ];
  for (const [stem, legal] of table) assert.is(legitimizePackageName(stem), legal, stem);
  assert.is(dynamicPackageName('kernel-module-%', 'virtio_net'), 'kernel-module-virtio-net');
  assert.is(dynamicPackageName('%-locale', 'de_DE'), 'de-de-locale');
});

test('which names a package pattern accepts before anything is built', () => {
  const table: [string, string, boolean][] = [
    ['kernel-module-%', 'kernel-module-virtio-net', true],
    ['kernel-module-%', 'kernel-module-8021q', true],
    ['kernel-module-%', 'kernel-module-virtio_net', false], // never made: it would be kernel-module-virtio-net
    ['kernel-module-%', 'kernel-module-', false], // empty match
    ['kernel-module-%', 'kernel-modules', false],
    ['kernel-module-%', 'Kernel-module-x', false],
    ['kernel-module-%', 'kernel-module-a b', false],
    ['%-locale', 'de-de-locale', true],
    ['%-locale', '-locale', false],
    ['lib%-dev', 'libfoo-dev', true],
    ['lib%-dev', 'libfoo', false],
  ];
  for (const [pattern, name, ok] of table) assert.is(matchesPackagePattern(pattern, name), ok, `${pattern} ${name}`);
});

test('file patterns: % is the file name part within one folder; ** and * as in package patterns', () => {
  const table: [string, string, string | undefined][] = [
    [KO, '/lib/modules/6.1.176/kernel/net/bridge/bridge.ko', 'bridge'],
    [KO, '/lib/modules/6.1.176/kernel/drivers/net/virtio_net.ko', 'virtio_net'],
    [KO, '/lib/modules/6.1.176/kernel/drivers/net/virtio_net.ko.xz', undefined],
    [KO, '/lib/modules/6.1.176/modules.dep', undefined],
    [KO, '/lib/modules/6.1.176/extra/x.ko', undefined],
    [KO, '/lib/modules/6.1.176/kernel/.ko', undefined], // % matches at least one character
    ['/etc/modules-load.d/%.conf', '/etc/modules-load.d/virtio-net.conf', 'virtio-net'],
    ['/etc/modules-load.d/%.conf', '/etc/modules-load.d/sub/x.conf', undefined],
  ];
  for (const [pattern, path, stem] of table) assert.is(dynamicFileRegExp(pattern).exec(path)?.[1], stem, `${pattern} ${path}`);
});

const entries = (...paths: string[]): TreeEntry[] => paths.map((path) => ({ path, type: 'file', mode: 0o644, host: '/nonexistent' }));
const M = '/lib/modules/6.1.176/kernel';

test('split: one package per matched file, sorted; folders and unmatched files left to the fixed packages', () => {
  const tree: TreeEntry[] = [
    { path: '/lib', type: 'dir', mode: 0o755, host: '' },
    ...entries(`${M}/net/bridge/bridge.ko`, `${M}/net/802/stp.ko`, `${M}/net/llc/llc.ko`, '/lib/modules/6.1.176/modules.dep'),
  ];
  const r = splitDynamic(tree, [dyn()], ['linux-image', 'kernel-base']);
  assert.equal(r.problems, []);
  assert.equal([...r.packages.keys()], ['kernel-module-bridge', 'kernel-module-llc', 'kernel-module-stp']);
  assert.equal(
    [...r.claims],
    [
      [`${M}/net/bridge/bridge.ko`, 'kernel-module-bridge'],
      [`${M}/net/802/stp.ko`, 'kernel-module-stp'],
      [`${M}/net/llc/llc.ko`, 'kernel-module-llc'],
    ],
  );
});

test('hostile: a pattern matching nothing makes no package and is not an error (a kernel without modules)', () => {
  const r = splitDynamic(entries('/boot/Image', '/lib/modules/6.1.176/modules.dep'), [dyn()], ['linux-image']);
  assert.equal([r.packages.size, r.claims.size, r.problems], [0, 0, []]);
});

test('hostile: two patterns claiming one file is an error at the second, naming both', () => {
  const r = splitDynamic(
    entries(`${M}/net/bridge/bridge.ko`, `${M}/net/802/stp.ko`),
    [dyn(), dyn({ pattern: 'km-%', files: ['/lib/modules/**/%.ko'], fileLocs: [loc(30)], loc: loc(29) })],
    [],
  );
  assert.equal(
    r.problems.map((p) => [p.code, p.location?.line, p.related?.[0].location?.line]),
    [
      ['package-dynamic-overlap', 30, 20],
      ['package-dynamic-overlap', 30, 20],
    ],
  );
  assert.match(r.problems[0].message, `${M}/net/bridge/bridge.ko is claimed by two dynamic patterns: '${KO}' and '/lib/modules/**/%.ko'`);
  assert.is(r.claims.size, 0, 'neither pattern takes the file');
});

test('hostile: a file name that makes no valid package name is an error at the pattern, once per name', () => {
  const r = splitDynamic(entries(`${M}/a/Bad Name.ko`, `${M}/b/Bad Name.ko`, `${M}/a/ok.ko`, `${M}/a/é.ko`), [dyn()], []);
  assert.equal(
    r.problems.map((p) => [p.code, p.location?.line, p.message]),
    [
      ['package-bad-name', 20, `${M}/a/Bad Name.ko matches '${KO}' but would make package 'kernel-module-bad name', which is not a valid package name`],
      ['package-bad-name', 20, `${M}/a/é.ko matches '${KO}' but would make package 'kernel-module-é', which is not a valid package name`],
    ],
  );
  assert.equal([...r.packages.keys()], ['kernel-module-ok']);
});

test('hostile: a dynamic name equal to a fixed package of the recipe, two modules of one name', () => {
  const r = splitDynamic(entries(`${M}/a/base.ko`, `${M}/a/x_y.ko`, `${M}/b/x-y.ko`), [dyn()], ['kernel-module-base']);
  assert.equal(
    r.problems.map((p) => p.message),
    [`${M}/a/base.ko would make package 'kernel-module-base', which is already one of the recipe's packages`],
  );
  // Two files of one name go to one package (as do_split_packages does); modinfo keeps module names unique.
  assert.equal(r.packages.size, 1);
  assert.equal([...r.claims.values()], ['kernel-module-x-y', 'kernel-module-x-y']);
});

test('modules.dep: relative and absolute paths, blank and odd lines', () => {
  const deps = parseModulesDep(
    'kernel/net/bridge/bridge.ko: kernel/net/802/stp.ko kernel/net/llc/llc.ko\nkernel/net/llc/llc.ko:\n\n/abs/x.ko: /abs/y.ko\nnot a line\n',
    '/lib/modules/6.1.176',
  );
  assert.equal(
    [...deps],
    [
      ['/lib/modules/6.1.176/kernel/net/bridge/bridge.ko', ['/lib/modules/6.1.176/kernel/net/802/stp.ko', '/lib/modules/6.1.176/kernel/net/llc/llc.ko']],
      ['/lib/modules/6.1.176/kernel/net/llc/llc.ko', []],
      ['/abs/x.ko', ['/abs/y.ko']],
    ],
  );
});

test('modules.dep: each package depends on the packages of what its module needs; a needed module no package ships is reported', () => {
  const owners = new Map([
    [`${M}/net/bridge/bridge.ko`, 'kernel-module-bridge'],
    [`${M}/net/802/stp.ko`, 'kernel-module-stp'],
    [`${M}/net/llc/llc.ko`, 'kernel-module-llc'],
    [`${M}/fs/fat/fat.ko`, 'kernel-modules-fs'],
    [`${M}/fs/fat/vfat.ko`, 'kernel-module-vfat'],
  ]);
  const text = [
    'kernel/net/bridge/bridge.ko: kernel/net/802/stp.ko kernel/net/llc/llc.ko',
    'kernel/net/802/stp.ko: kernel/net/llc/llc.ko',
    'kernel/net/llc/llc.ko:',
    'kernel/fs/fat/vfat.ko: kernel/fs/fat/fat.ko',
    'kernel/fs/fat/fat.ko: kernel/lib/nls.ko',
    'kernel/drivers/x.ko: kernel/drivers/gone.ko',
  ].join('\n');
  const r = moduleDepends(
    [{ file: '/lib/modules/6.1.176/modules.dep', text }],
    (p) => owners.get(p),
    (pkg) => pkg.startsWith('kernel-module-'),
  );
  const deps = (pkg: string) => (r.depends.get(pkg) ?? []).map((d) => d.package);
  assert.equal(deps('kernel-module-bridge'), ['kernel-module-stp', 'kernel-module-llc']);
  assert.equal(deps('kernel-module-stp'), ['kernel-module-llc']);
  assert.equal(deps('kernel-module-llc'), []);
  assert.equal(deps('kernel-module-vfat'), ['kernel-modules-fs'], 'a fixed package shipping the needed module counts');
  assert.equal(deps('kernel-modules-fs'), [], 'packages not made from modules.dep are left alone');
  assert.equal(r.missing, [], 'x.ko is in no package, so nothing asks for gone.ko');
  const r2 = moduleDepends(
    [{ file: '/lib/modules/6.1.176/modules.dep', text: 'kernel/net/bridge/bridge.ko: kernel/net/802/stp.ko' }],
    (p) => (p.endsWith('bridge.ko') ? 'kernel-module-bridge' : undefined),
    () => true,
  );
  assert.equal(r2.missing, [{ module: `${M}/net/bridge/bridge.ko`, needs: `${M}/net/802/stp.ko` }]);
  assert.equal(r.depends.get('kernel-module-bridge')![0], {
    package: 'kernel-module-stp',
    why: 'modules.dep',
    binary: `${M}/net/bridge/bridge.ko`,
    needs: `${M}/net/802/stp.ko`,
  });
});

/** A kernel's install tree: three modules that need each other, modules.dep as depmod writes it, the image. */
function kernelTree(): string {
  const d = tempDir('strata-kmod-');
  const file = (p: string, text: string) => {
    mkdirSync(join(d, p, '..'), { recursive: true });
    writeFileSync(join(d, p), text);
  };
  file('/boot/Image', 'kernel');
  file(`${M}/net/bridge/bridge.ko`, 'bridge');
  file(`${M}/net/802/stp.ko`, 'stp');
  file(`${M}/net/llc/llc.ko`, 'llc');
  file(`${M}/drivers/net/dummy.ko`, 'dummy');
  file(
    '/lib/modules/6.1.176/modules.dep',
    'kernel/net/bridge/bridge.ko: kernel/net/802/stp.ko kernel/net/llc/llc.ko\nkernel/net/802/stp.ko: kernel/net/llc/llc.ko\nkernel/net/llc/llc.ko:\nkernel/drivers/net/dummy.ko:\n',
  );
  file('/lib/modules/6.1.176/modules.order', 'kernel/net/llc/llc.ko\n');
  return d;
}

const kernelRecipe = (over: Partial<RecipePackaging> = {}): RecipePackaging => ({
  recipe: 'linux',
  version: '6.1.176',
  arch: 'aarch64',
  license: 'GPL-2.0-only',
  summary: 'Linux',
  maintainer: 'Strata Tests <tests@example.invalid>',
  file: '/layers/x/linux.yaml',
  specs: [
    { name: 'linux-image', patterns: ['/boot/**'], loc: loc(10), patternLocs: [loc(10)] },
    { name: 'kernel-base', patterns: ['/lib/modules/**'], loc: loc(11), patternLocs: [loc(11)] },
  ],
  dynamic: [dyn({ rdepends: ['kernel-base'], rdependsAt: [loc(21)] })],
  rdepends: new Map([['kernel-module-dummy', ['kernel-module-llc']]]),
  conffiles: new Map(),
  declarations: NO_DECLARATIONS,
  knownPackages: new Set(['linux-image', 'kernel-base', 'busybox']),
  knownPatterns: ['kernel-module-%'],
  ...over,
});

test('makePackages: a .ipk per module that dpkg-deb reads, with Depends from modules.dep, the pattern and rdepends:', () => {
  const r = makePackages(kernelRecipe(), walkTree(kernelTree()), { providers: [], users: new Map(), groups: new Map() }, EPOCH);
  assert.ok(r.ok, JSON.stringify(!r.ok && [r.diagnostics, r.messages]));
  if (!r.ok) return;
  const by = new Map(r.packages.map((p) => [p.data.name, p]));
  assert.equal([...by.keys()], ['linux-image', 'kernel-base', 'kernel-module-bridge', 'kernel-module-dummy', 'kernel-module-llc', 'kernel-module-stp']);
  const files = (n: string) =>
    by
      .get(n)!
      .data.files.filter((f) => f.type === 'file')
      .map((f) => f.path);
  assert.equal(files('kernel-module-bridge'), [`${M}/net/bridge/bridge.ko`]);
  assert.equal(files('kernel-base'), ['/lib/modules/6.1.176/modules.dep', '/lib/modules/6.1.176/modules.order']);
  const dir = tempDir('strata-kmod-ipk-');
  const info = (n: string) => {
    const f = join(dir, by.get(n)!.data.ipk.file);
    writeFileSync(f, by.get(n)!.ipk);
    return execFileSync('dpkg-deb', ['--field', f, 'Package', 'Depends'], { encoding: 'utf8' });
  };
  assert.is(info('kernel-module-bridge'), 'Package: kernel-module-bridge\nDepends: kernel-base, kernel-module-llc, kernel-module-stp\n');
  assert.is(info('kernel-module-stp'), 'Package: kernel-module-stp\nDepends: kernel-base, kernel-module-llc\n');
  assert.is(info('kernel-module-llc'), 'Package: kernel-module-llc\nDepends: kernel-base\n');
  assert.is(info('kernel-module-dummy'), 'Package: kernel-module-dummy\nDepends: kernel-base, kernel-module-llc\n', 'rdepends: may name a dynamic package');
  assert.ok(
    by.get('kernel-module-bridge')!.data.dependsWhy.some((w) => w.why === 'modules.dep' && w.package === 'kernel-module-stp'),
    'the package data says why',
  );
});

test('makePackages: bad dynamic metadata is a diagnostic at its line; unknown dependencies too', () => {
  const r = makePackages(
    kernelRecipe({
      dynamic: [dyn({ rdepends: ['kernel-bse'], rdependsAt: [loc(21)] }), dyn({ pattern: 'km-%', files: ['/lib/**/%.ko'], fileLocs: [loc(25)], loc: loc(24) })],
      rdepends: new Map([
        ['kernel-module-dummy', ['kernel-module-nope_x']],
        ['kernel-modul-x', ['busybox']],
      ]),
      rdependsAt: new Map([
        ['kernel-module-dummy kernel-module-nope_x', loc(40)],
        ['kernel-modul-x busybox', loc(41)],
      ]),
    }),
    walkTree(kernelTree()),
    { providers: [], users: new Map(), groups: new Map() },
    EPOCH,
  );
  assert.not.ok(r.ok);
  if (r.ok) return;
  assert.equal(
    r.diagnostics.map((d) => [d.code, d.location?.line]),
    [
      ['package-unknown', 40],
      ['package-unknown', 41],
      ['package-unknown', 21],
      ['package-dynamic-overlap', 25],
      ['package-dynamic-overlap', 25],
      ['package-dynamic-overlap', 25],
      ['package-dynamic-overlap', 25],
    ],
  );
});

test('makePackages: a module modules.dep needs that no package ships fails the task, naming both', () => {
  const d = kernelTree();
  writeFileSync(join(d, 'lib/modules/6.1.176/modules.dep'), 'kernel/net/bridge/bridge.ko: kernel/net/802/gone.ko\n');
  const r = makePackages(kernelRecipe(), walkTree(d), { providers: [], users: new Map(), groups: new Map() }, EPOCH);
  assert.not.ok(r.ok);
  if (r.ok) return;
  assert.equal(r.messages, [
    `modules.dep: ${M}/net/bridge/bridge.ko needs ${M}/net/802/gone.ko, which no package of linux ships\n  install that module too, or stop installing ${M}/net/bridge/bridge.ko`,
  ]);
});

test.run();
