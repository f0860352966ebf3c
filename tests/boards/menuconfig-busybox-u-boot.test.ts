import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ESC_ESC, runMenuconfig } from '../helpers/menuconfig.js';
import { ROOT, scratchDirs, strata, writeTree, TEST_CACHE } from '../helpers/strata.js';

// `strata menuconfig` and `strata diffconfig` for busybox and u-boot, as a
// user runs them: menuconfig configures first (the project shares the task
// cache, so busybox's musl and both cross compilers are restored and
// configure is the only real work), the real menuconfig on a terminal (a
// pty) changes one option with its own keys and saves, diffconfig writes
// the change as a fragment, and the next build merges it and checks it:
// merge_config.sh for U-Boot, busybox's own merge (its Kconfig has none).
// An append in a test layer skips compiling, which none of this needs; its
// TEST_RUN makes those stand-in outputs this run's own, never restored
// from the cache in place of a configure.

const tempDir = scratchDirs(test);
const project = tempDir('strata-menuconfig-bb-');
const cache = TEST_CACHE;
const run = `${process.pid}-${Date.now()}`;

interface Case {
  readonly title: string;
  /** Keys that change one option in the menu and save it on the way out. */
  readonly keys: readonly string[];
  /** The line diffconfig writes for that change. */
  readonly change: string;
  readonly B: string;
  /** The stand-in install, for what the recipe's packages expect. */
  readonly install: string;
}

const CASES: Record<string, Case> = {
  // Settings is the first entry; in it, B is the hotkey of "Building for Fedora distribution", Y turns it on.
  busybox: {
    title: 'BusyBox 1.35.0 Configuration',
    keys: ['\r', 'b', 'y', ESC_ESC, ESC_ESC, '\r'],
    change: 'CONFIG_FEDORA_COMPAT=y',
    B: 'build/work/qemuarm64/busybox-1.35.0/busybox-1.35.0',
    // Something for each package pattern (an empty one is an error).
    install:
      'mkdir -p "$D/bin" "$D/sbin" "$D/usr/bin" "$D/usr/share/udhcpc" "$D/etc" && touch "$D/bin/busybox" "$D/sbin/init" "$D/usr/bin/env" "$D/usr/share/udhcpc/default.script" "$D/etc/resolv.conf" "$D/linuxrc"',
  },
  // F is the hotkey of the main menu's "FDT tools for simplefb support".
  'u-boot': {
    title: 'U-Boot 2023.01 Configuration',
    keys: ['f', 'y', ESC_ESC, '\r'],
    change: 'CONFIG_FDT_SIMPLEFB=y',
    B: 'build/work/qemuarm64/u-boot-2023.01/build',
    install: 'mkdir -p "$D/boot" && touch "$D/boot/u-boot.bin" && install -D -m 0644 .config "$D/usr/share/u-boot/config"',
  },
};

/** The test layer's append of `recipe`: compile skipped, and `vars` (a fragment listed, for the next build). */
function writeAppend(recipe: string, vars = ''): void {
  writeFileSync(
    join(project, `quick/recipes/${recipe}.append.yaml`),
    `append: ${recipe}\nvars:\n  TEST_RUN: "${run}"\n${vars}tasks:\n  compile: ": not compiled in test run \${TEST_RUN}"\n  install: ${CASES[recipe].install}\n`,
  );
}

writeTree(project, {
  'strata.yaml': `layers: [${join(ROOT, 'layers/core')}, quick]\nmirrors: [${join(ROOT, 'mirror')}]\noffline: true\ncache: ${cache}\n`,
  'quick/layer.yaml': 'name: quick\n',
  'quick/recipes/.keep': '',
});
for (const recipe of Object.keys(CASES)) writeAppend(recipe);
const on = ['--machine', 'qemuarm64', '--project', project];

for (const [recipe, c] of Object.entries(CASES)) {
  const B = join(project, c.B);
  const fragment = join(project, `${recipe}-change.cfg`);

  test(`strata menuconfig ${recipe} configures, then its real menuconfig changes an option and saves it`, async () => {
    const r = await runMenuconfig(['menuconfig', recipe, ...on], c.title, c.keys);
    assert.match(r.screen, c.title, r.screen.slice(-3000));
    assert.is(r.code, 0, r.screen.slice(-3000));
    assert.match(r.screen, `strata diffconfig ${recipe}`);
    assert.match(readFileSync(join(B, '.config'), 'utf8'), new RegExp(`^${c.change}$`, 'm'));
    assert.not.match(readFileSync(join(B, '.config.baseline'), 'utf8'), new RegExp(`^${c.change}$`, 'm'));
  });

  test(`strata diffconfig ${recipe} writes that change, and only it, as a fragment`, async () => {
    const r = await strata(['diffconfig', recipe, ...on, '-o', fragment]);
    assert.is(r.code, 0, r.stdout + r.stderr);
    assert.is(readFileSync(fragment, 'utf8'), `${c.change}\n`);
    assert.match(r.stdout, `1 changed option written to ${fragment}; list it in`);
    assert.match(r.stdout, recipe === 'u-boot' ? "the machine's UBOOT_FRAGMENTS" : 'KCONFIG_FRAGMENTS:append of an append of busybox');
  });

  test(`the next build of ${recipe} merges the fragment and checks it`, async () => {
    writeAppend(recipe, `  KCONFIG_FRAGMENTS:append: " ${fragment}"\n`);
    const r = await strata(['build', recipe, ...on], { timeoutMs: 1_800_000 });
    assert.is(r.code, 0, r.stdout.slice(-3000) + r.stderr);
    // Both build folders sit right in the recipe's work folder, beside the logs.
    const log = readFileSync(join(B, '..', 'log.configure'), 'utf8');
    assert.match(log, /strata: all \d+ options the fragments ask for hold/);
    for (const f of ['.config', '.config.baseline']) assert.match(readFileSync(join(B, f), 'utf8'), new RegExp(`^${c.change}$`, 'm'), f);
  });

  test(`${recipe}: a fragment option Kconfig drops fails configure at the fragment's line`, async () => {
    writeFileSync(fragment, `${c.change}\n# not an option of ${recipe}\nCONFIG_STRATA_NO_SUCH_OPTION=y\n`);
    const r = await strata(['build', recipe, ...on], { timeoutMs: 1_800_000 });
    assert.is(r.code, 1, r.stdout.slice(-3000) + r.stderr);
    assert.match(r.stdout + r.stderr, `${fragment}:3:1: error[kconfig-dropped]: ${recipe}: CONFIG_STRATA_NO_SUCH_OPTION=y was dropped`);
  });
}

test.run();
