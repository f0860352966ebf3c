import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { layerSet } from '../helpers/layer-set.js';
import { scratchDirs, strata, writeTree } from '../helpers/strata.js';
import type { RootfsManifest } from '../../core/rootfs/manifest.js';

// Package groups as a user writes them: an empty package whose rdepends
// name the group's members, one of them a variable the machine sets (as
// MACHINE_EXTRA_RDEPENDS adds the network card's kernel module to
// packagegroup-base on qemuarm64). Then the feed after a build whose package
// tasks were all restored from a shared cache: its index must list them.

const tempDir = scratchDirs(test);

const recipe = (name: string, extra = '') =>
  `name: ${name}\nversion: "1"\nlicense: MIT\ntasks:\n  install: mkdir -p $D/usr/share/${name} && echo ${name} > $D/usr/share/${name}/file\npackages:\n  ${name}: [/usr/**]\n${extra}`;

const layers = (machineExtra: string) => ({
  core: {
    'machines/board.yaml': `arch: aarch64\n${machineExtra}`,
    'recipes/kernel.yaml':
      'name: kernel\nversion: "1"\nprovides: [virtual/kernel]\ntasks:\n  install: mkdir -p $D/boot && echo kernel > $D/boot/Image\npackages:\n  kernel-image: [/boot/**]\n',
    'recipes/shell.yaml': recipe('shell'),
    'recipes/tools.yaml': recipe('tools'),
    'recipes/wifi.yaml': recipe('wifi'),
    'recipes/packagegroup-core.yaml': [
      'name: packagegroup-core',
      'version: "1"',
      'license: MIT',
      'vars:',
      '  MACHINE_EXTRA_RDEPENDS:default: ""',
      '  PACKAGE_ARCH: ${MACHINE}',
      'rdepends:',
      '  packagegroup-core: [shell, "${MACHINE_EXTRA_RDEPENDS}"]',
      '',
    ].join('\n'),
    'images/grouped.yaml': 'install: [packagegroup-core, tools]\ntypes: [cpio.gz]\n',
  },
});

const packagesOf = (dir: string): string[] =>
  (JSON.parse(readFileSync(join(dir, 'build/work/board/grouped-image/rootfs/manifest.json'), 'utf8')) as RootfsManifest).packages.map((p) => p.name);

test('an image installing a package group gets its members, and the machine decides the variable ones', async () => {
  const plain = layerSet(tempDir, layers(''));
  const r = await strata(['build', 'grouped'], { cwd: plain.dir });
  assert.is(r.code, 0, r.stdout + r.stderr);
  assert.equal(packagesOf(plain.dir), ['packagegroup-core', 'shell', 'tools']);
  // The group is an empty .ipk that dpkg-deb reads, in the machine's feed.
  const ipk = join(plain.dir, 'build/deploy/ipk/board/packagegroup-core_1_board.ipk');
  assert.is(execFileSync('dpkg-deb', ['--field', ipk, 'Depends'], { encoding: 'utf8' }).trim(), 'shell');
  assert.is(execFileSync('dpkg-deb', ['--contents', ipk], { encoding: 'utf8' }).trim().split('\n').length, 1, 'only ./');

  const wifi = layerSet(tempDir, layers('vars:\n  MACHINE_EXTRA_RDEPENDS: wifi tools\n'));
  const w = await strata(['build', 'grouped'], { cwd: wifi.dir });
  assert.is(w.code, 0, w.stdout + w.stderr);
  assert.equal(packagesOf(wifi.dir), ['packagegroup-core', 'shell', 'tools', 'wifi']);
  const ipk2 = join(wifi.dir, 'build/deploy/ipk/board/packagegroup-core_1_board.ipk');
  assert.is(execFileSync('dpkg-deb', ['--field', ipk2, 'Depends'], { encoding: 'utf8' }).trim(), 'shell, tools, wifi');
});

test('a variable in rdepends naming an unknown package is an error at the rdepends entry', async () => {
  const s = layerSet(tempDir, layers('vars:\n  MACHINE_EXTRA_RDEPENDS: wfii\n'));
  const r = await strata(['build', 'grouped'], { cwd: s.dir });
  assert.is(r.code, 2, r.stdout + r.stderr);
  assert.match(r.stderr, "no recipe makes package 'wfii' (needed by packagegroup-core)");
  assert.match(r.stderr, /packagegroup-core\.yaml:8:\d+/);
  assert.match(r.stderr, "did you mean 'wifi'?");
});

test('a build whose package tasks all come from the cache still leaves a feed index listing them', async () => {
  const cache = tempDir('strata-shared-cache-');
  const first = layerSet(tempDir, layers(''), `cache: ${cache}\n`);
  const a = await strata(['build', 'tools'], { cwd: first.dir });
  assert.is(a.code, 0, a.stdout + a.stderr);
  // A second build folder with the same cache: nothing runs, everything is restored.
  const second = join(tempDir('strata-second-'), 'project');
  writeTree(second, {
    'strata.yaml': readFileSync(join(first.dir, 'strata.yaml'), 'utf8').replace(/^layers:\n {2}- core$/m, `layers:\n  - ${first.layer('core')}`),
  });
  const b = await strata(['build', 'tools'], { cwd: second });
  assert.is(b.code, 0, b.stdout + b.stderr);
  assert.match(b.stdout, /restored/);
  const feed = join(second, 'build/deploy/ipk/aarch64');
  assert.ok(readdirSync(feed).includes('tools_1_aarch64.ipk'), 'the .ipk is back');
  const index = readFileSync(join(feed, 'Packages'), 'utf8');
  assert.match(index, 'Package: tools\n');
  assert.match(index, 'Filename: tools_1_aarch64.ipk\n');
  // The same index the first folder has.
  assert.is(index, readFileSync(join(first.dir, 'build/deploy/ipk/aarch64/Packages'), 'utf8'));
});

test.run();
