import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { layerSet } from '../helpers/layer-set.js';
import { scratchDirs, strata } from '../helpers/strata.js';
import type { RootfsManifest } from '../../core/rootfs/manifest.js';

// `${}` variables in run-time dependencies name packages as any other
// recipe value does: in a package group's `rdepends:` (a dynamic package
// name such as kernel-module-${NET_MODULE}) and in a `packages-dynamic:`
// entry's `rdepends:`. Each case is an image build as a user runs it; an
// undefined variable is an error at the entry's file:line before anything
// runs, never a literal `${...}` package name.

const tempDir = scratchDirs(test);

/** A kernel whose install writes module files and modules.dep (no compiler needed); `rdepends` is its packages-dynamic entry's list. */
const kernel = (rdepends: string) =>
  [
    'name: kernel',
    'version: "6.1"',
    'license: GPL-2.0-only',
    'provides: [virtual/kernel]',
    'vars:',
    '  MODULE_BASE:default: kernel-base',
    'tasks:',
    '  install: |',
    '    m="$D/lib/modules/6.1.0/kernel"',
    '    mkdir -p "$D/boot" "$m/net/bridge" "$m/net/llc" "$m/drivers/net"',
    '    echo kernel > "$D/boot/Image"',
    '    for f in net/bridge/bridge net/llc/llc drivers/net/dummy_dev; do echo "$f" > "$m/$f.ko"; done',
    '    printf \'kernel/net/bridge/bridge.ko: kernel/net/llc/llc.ko\\nkernel/net/llc/llc.ko:\\nkernel/drivers/net/dummy_dev.ko:\\n\' > "$D/lib/modules/6.1.0/modules.dep"',
    'packages:',
    '  linux-image: [/boot/**]',
    '  kernel-base: [/lib/modules/**]',
    'packages-dynamic:',
    '  kernel-module-%:',
    '    files: /lib/modules/*/kernel/**/%.ko',
    `    rdepends: ${rdepends}`,
    '    rdepends-from: modules.dep',
    '',
  ].join('\n');

/** A package group whose only member is `member` (line 5 of its file). */
const group = (member: string) => `name: group\nversion: "1"\nlicense: MIT\nrdepends:\n  group: ["${member}"]\n`;

const layers = (machineVars: string, member: string, kernelRdepends = '[kernel-base]') => ({
  core: {
    'machines/board.yaml': `arch: aarch64\nvars:\n  NET_MODULE: bridge\n${machineVars}`,
    'recipes/kernel.yaml': kernel(kernelRdepends),
    'recipes/group.yaml': group(member),
    'images/grouped.yaml': 'install: [group]\ntypes: [cpio.gz]\n',
  },
});

const manifest = (dir: string): string[] =>
  (JSON.parse(readFileSync(join(dir, 'build/work/board/grouped-image/rootfs/manifest.json'), 'utf8')) as RootfsManifest).packages.map(
    (p) => `${p.name}: ${p.depends.join(',')}`,
  );

const built = [
  {
    what: "a group's dynamic package name made from a machine variable",
    layers: layers('', 'kernel-module-${NET_MODULE}'),
    packages: ['group: kernel-module-bridge', 'kernel-base: ', 'kernel-module-bridge: kernel-base,kernel-module-llc', 'kernel-module-llc: kernel-base'],
  },
  {
    what: 'the same variable set to another module by the machine',
    layers: layers('  MORE: dummy-dev\n', 'kernel-module-${MORE}'),
    packages: ['group: kernel-module-dummy-dev', 'kernel-base: ', 'kernel-module-dummy-dev: kernel-base'],
  },
  {
    what: "a packages-dynamic entry's rdepends naming a variable of its recipe",
    layers: layers('', 'kernel-module-llc', '["${MODULE_BASE}"]'),
    packages: ['group: kernel-module-llc', 'kernel-base: ', 'kernel-module-llc: kernel-base'],
  },
  {
    what: "a packages-dynamic entry's rdepends variable that is empty adds nothing",
    layers: layers('  MODULE_BASE: ""\n', 'kernel-module-llc', '[linux-image, "${MODULE_BASE}"]'),
    packages: ['group: kernel-module-llc', 'kernel-module-llc: linux-image', 'linux-image: '],
  },
];

for (const c of built)
  test(`rdepends variable expands: ${c.what}`, async () => {
    const s = layerSet(tempDir, c.layers);
    const r = await strata(['build', 'grouped'], { cwd: s.dir });
    assert.is(r.code, 0, r.stdout + r.stderr);
    assert.equal(manifest(s.dir), c.packages);
  });

const refused = [
  {
    what: "an undefined variable in a group's dynamic package name",
    layers: layers('', 'kernel-module-${NOPE}'),
    at: 'core/recipes/group.yaml:5:11',
    message: 'rdepends of group refers to ${NOPE}, which is not set',
  },
  {
    what: "an undefined variable in a packages-dynamic entry's rdepends",
    layers: layers('', 'kernel-module-llc', '[kernel-base, "${NOPE}"]'),
    at: 'core/recipes/kernel.yaml:20:29',
    message: 'rdepends of kernel-module-% refers to ${NOPE}, which is not set',
  },
  {
    what: "a packages-dynamic entry's rdepends expanding to a package no recipe makes",
    layers: layers('  MODULE_BASE: kernel-bsae\n', 'kernel-module-llc', '["${MODULE_BASE}"]'),
    at: 'core/recipes/kernel.yaml:20:16',
    message: "no recipe makes package 'kernel-bsae' (needed by kernel-module-llc)",
  },
];

for (const c of refused)
  test(`rdepends variable refused before anything runs: ${c.what}`, async () => {
    const s = layerSet(tempDir, c.layers);
    const r = await strata(['build', 'grouped'], { cwd: s.dir });
    assert.is(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, `${join(s.dir, c.at)}`);
    assert.match(r.stderr, c.message);
    assert.not.match(r.stderr + r.stdout, "package '${", 'no literal ${...} package name');
    assert.not.match(r.stdout, 'start');
  });

test.run();
