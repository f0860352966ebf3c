import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ESC_ESC, runMenuconfig } from '../helpers/menuconfig.js';
import { ROOT, scratchDirs, strata, writeTree } from '../helpers/strata.js';

// `strata menuconfig linux` opens the kernel's real menuconfig (ncurses, on
// a terminal: here a pty) in the configured build folder, and
// `strata diffconfig linux` turns a change into a fragment. Opt-in with
// tests/boards: it unpacks and configures the real kernel for qemuarm64;
// an append in a test layer skips compiling it, which these commands do not
// need.

const tempDir = scratchDirs(test);
const project = tempDir('strata-menuconfig-');
writeTree(project, {
  'strata.yaml': `layers: [${join(ROOT, 'layers/core')}, quick]\nmirrors: [${join(ROOT, 'mirror')}]\noffline: true\ncache: false\n`,
  'quick/layer.yaml': 'name: quick\n',
  'quick/recipes/linux.append.yaml':
    // Something for each package pattern (kernel-base's /lib/modules/** too: an empty one is an error).
    'append: linux\ntasks:\n  compile: ": not compiled in this test"\n  install: mkdir -p "$D/boot" "$D/lib/modules/${PV}" && touch "$D/boot/${KERNEL_IMAGETYPE}" "$D/lib/modules/${PV}/modules.dep" && cp .config "$D/boot/config-${PV}"\n',
});
const B = join(project, 'build/work/qemuarm64/linux-6.1.176/build');

test('configure leaves .config and .config.baseline in the build folder', async () => {
  const r = await strata(['build', 'linux', '--machine', 'qemuarm64', '--project', project], { timeoutMs: 1_800_000 });
  assert.is(r.code, 0, r.stdout.slice(-3000) + r.stderr);
  assert.ok(existsSync(join(B, '.config.baseline')));
  assert.is(readFileSync(join(B, '.config'), 'utf8'), readFileSync(join(B, '.config.baseline'), 'utf8'));
});

test('strata menuconfig linux shows the kernel menuconfig on the terminal and leaves with Esc Esc', async () => {
  const r = await runMenuconfig(['menuconfig', 'linux', '--machine', 'qemuarm64', '--project', project], 'Linux/arm64 6.1.176 Kernel Configuration', [ESC_ESC]);
  assert.match(r.screen, 'Linux/arm64 6.1.176 Kernel Configuration', r.screen.slice(-2000));
  assert.is(r.code, 0, r.screen.slice(-2000));
  assert.match(r.screen, 'strata diffconfig linux');
});

test('strata diffconfig linux writes a changed option as a fragment', async () => {
  const config = join(B, '.config');
  const before = readFileSync(config, 'utf8');
  writeFileSync(config, before.replace('CONFIG_BLK_DEV_LOOP=m', 'CONFIG_BLK_DEV_LOOP=y'));
  try {
    const out = join(project, 'loop.cfg');
    const r = await strata(['diffconfig', 'linux', '--machine', 'qemuarm64', '--project', project, '-o', out]);
    assert.is(r.code, 0, r.stdout + r.stderr);
    assert.is(readFileSync(out, 'utf8'), 'CONFIG_BLK_DEV_LOOP=y\n');
    assert.match(r.stdout, `1 changed option written to ${out}`);
  } finally {
    writeFileSync(config, before);
  }
});

test.run();
