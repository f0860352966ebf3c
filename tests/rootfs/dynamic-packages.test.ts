import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { layerSet } from '../helpers/layer-set.js';
import { scratchDirs, strata } from '../helpers/strata.js';
import type { RootfsManifest } from '../../core/rootfs/manifest.js';

// Dynamic packages as a user meets them: two kernels whose recipes both
// declare `kernel-module-%` (only the machine's virtual/kernel counts), an
// image that installs one module and gets the modules it needs by
// modules.dep, and the errors: a name no build can make (at the image line,
// before anything runs), a name the pattern accepts but the build did not
// make (at the image line, naming the recipe), a bad pattern (at its line).

const tempDir = scratchDirs(test);

/** A kernel recipe whose install writes module files and depmod's modules.dep for them (no compiler needed). */
const kernel = (name: string, modules: string) =>
  [
    `name: ${name}`,
    'version: "6.1"',
    'license: GPL-2.0-only',
    'provides: [virtual/kernel]',
    'tasks:',
    '  install: |',
    '    m="$D/lib/modules/6.1.0/kernel"',
    '    mkdir -p "$D/boot" "$m/net/bridge" "$m/net/802" "$m/net/llc" "$m/drivers/net"',
    '    echo kernel > "$D/boot/Image"',
    `    for f in ${modules}; do echo "$f" > "$m/$f.ko"; done`,
    '    printf \'kernel/net/bridge/bridge.ko: kernel/net/802/stp.ko kernel/net/llc/llc.ko\\nkernel/net/802/stp.ko: kernel/net/llc/llc.ko\\nkernel/net/llc/llc.ko:\\nkernel/drivers/net/dummy_dev.ko:\\n\' > "$D/lib/modules/6.1.0/modules.dep"',
    'packages:',
    '  linux-image: [/boot/**]',
    '  kernel-base: [/lib/modules/**]',
    'packages-dynamic:',
    '  kernel-module-%:',
    '    files: /lib/modules/*/kernel/**/%.ko',
    '    rdepends: [kernel-base]',
    '    rdepends-from: modules.dep',
    '',
  ].join('\n');

const layers = {
  core: {
    'machines/board.yaml': 'arch: aarch64\nproviders:\n  virtual/kernel: kernel-a\n',
    'recipes/kernel-a.yaml': kernel('kernel-a', 'net/bridge/bridge net/802/stp net/llc/llc drivers/net/dummy_dev'),
    'recipes/kernel-b.yaml': kernel('kernel-b', 'net/llc/llc'),
    'recipes/group.yaml': 'name: group\nversion: "1"\nlicense: MIT\nrdepends:\n  group: [kernel-module-dummy-dev]\n',
    'images/mods.yaml': 'install:\n  - kernel-module-bridge\n  - group\ntypes: [cpio.gz]\n',
    'images/early.yaml': 'install:\n  - kernel-module-bridge\n  - kernel-module-dummy_dev\n',
    'images/missing.yaml': 'install:\n  - kernel-module-bridge\n  - kernel-module-virtio-net\n',
    'recipes/net-group.yaml':
      'name: net-group\nversion: "1"\nlicense: MIT\nrdepends:\n  net-group:\n    - kernel-module-bridge\n    - kernel-module-virtio-net\n',
    'images/grouped.yaml': 'install: [net-group]\n',
  },
};

test('an image installs one module package and gets the ones modules.dep says it needs, from the chosen kernel only', async () => {
  const s = layerSet(tempDir, layers);
  const r = await strata(['build', 'mods'], { cwd: s.dir });
  assert.is(r.code, 0, r.stdout + r.stderr);
  assert.not.match(r.stdout, 'kernel-b:', 'the kernel the machine did not choose is not built');
  const m = JSON.parse(readFileSync(join(s.dir, 'build/work/board/mods-image/rootfs/manifest.json'), 'utf8')) as RootfsManifest;
  assert.equal(
    m.packages.map((p) => `${p.name} ${p.recipe} ${p.depends.join(',')}`),
    [
      'group group kernel-module-dummy-dev',
      'kernel-base kernel-a ',
      'kernel-module-bridge kernel-a kernel-base,kernel-module-llc,kernel-module-stp',
      'kernel-module-dummy-dev kernel-a kernel-base',
      'kernel-module-llc kernel-a kernel-base',
      'kernel-module-stp kernel-a kernel-base,kernel-module-llc',
    ],
  );
  assert.ok(m.entries.some((e) => e.path === '/lib/modules/6.1.0/kernel/net/802/stp.ko' && e.pkg === 'kernel-module-stp'));
  const feed = join(s.dir, 'build/deploy/ipk/aarch64');
  assert.ok(readdirSync(feed).includes('kernel-module-dummy-dev_6.1_aarch64.ipk'));
  assert.match(readFileSync(join(feed, 'Packages'), 'utf8'), 'Package: kernel-module-stp\n');
  const depends = execFileSync('dpkg-deb', ['--field', join(feed, 'kernel-module-bridge_6.1_aarch64.ipk'), 'Depends'], { encoding: 'utf8' });
  assert.is(depends, 'kernel-base, kernel-module-llc, kernel-module-stp\n');
});

test('a name no pattern can make is an error at the image line before anything runs, with the name it would have', async () => {
  const s = layerSet(tempDir, layers);
  const r = await strata(['build', 'early'], { cwd: s.dir });
  assert.is(r.code, 2, r.stdout + r.stderr);
  assert.match(r.stderr, `${join(s.dir, 'core/images/early.yaml')}:3:5`);
  assert.match(r.stderr, "no recipe makes package 'kernel-module-dummy_dev'");
  assert.match(r.stderr, "did you mean 'kernel-module-dummy-dev'?");
  assert.not.match(r.stdout, 'start');
});

test('a name the pattern accepts but the build did not make: an error at the image line naming the recipe', async () => {
  const s = layerSet(tempDir, layers);
  const r = await strata(['build', 'missing'], { cwd: s.dir });
  assert.is(r.code, 1, r.stdout + r.stderr);
  const out = r.stdout + r.stderr;
  assert.match(out, `${join(s.dir, 'core/images/missing.yaml')}:3:5`);
  assert.match(out, "image needs package 'kernel-module-virtio-net': it matches kernel-module-% of recipe kernel-a");
  assert.match(out, 'but no file kernel-a installed matched /lib/modules/*/kernel/**/%.ko');
  assert.match(out, 'kernel-module-bridge, kernel-module-dummy-dev, kernel-module-llc, kernel-module-stp');
});

test("the same, reached through a package group: an error at the group's rdepends entry", async () => {
  const s = layerSet(tempDir, layers);
  const r = await strata(['build', 'grouped'], { cwd: s.dir });
  assert.is(r.code, 1, r.stdout + r.stderr);
  const out = r.stdout + r.stderr;
  assert.match(
    out,
    `${join(s.dir, 'core/recipes/net-group.yaml')}:7:7: error[package-not-made]: package net-group depends on kernel-module-virtio-net: it matches kernel-module-% of recipe kernel-a`,
  );
});

test('a dynamic package pattern without one % (or a file pattern without it in the last segment) fails at parse time, at its line', async () => {
  for (const [entry, line, col, what] of [
    ['  kernel-module:\n    files: /lib/%.ko\n', 2, 3, "dynamic package 'kernel-module' must have exactly one '%'"],
    ['  km-%:\n    files: [/lib/%/x.ko]\n', 3, 13, "file pattern '/lib/%/x.ko' of km-% must be absolute and have exactly one '%', in its last segment"],
    ['  km-%:\n    rdepends-from: modules.dep\n', 3, 5, "missing required key 'files'"],
    ['  km-%:\n    files: /lib/%.ko\n    rdepends-from: depmod\n', 4, 20, 'modules.dep'],
  ] as const) {
    const s = layerSet(tempDir, { core: { 'recipes/k.yaml': `name: k\nversion: "1"\npackages-dynamic:\n${entry}` } });
    const r = await strata(['build', 'k'], { cwd: s.dir });
    assert.is(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, `${join(s.dir, 'core/recipes/k.yaml')}:${line + 2}:${col}`, entry);
    assert.match(r.stderr, what);
  }
});

test.run();
