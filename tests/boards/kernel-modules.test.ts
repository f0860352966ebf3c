import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, ROOT, scratchDirs, strata, TEST_CACHE } from '../helpers/strata.js';

// One package per kernel module, from the real kernel (opt-in with
// tests/boards: a cold run compiles Linux for qemuarm64 with the fixture
// layer's fragment, CONFIG_BRIDGE=m and CONFIG_DUMMY=m; the suites' task
// cache restores it afterwards). The .ipk files are read by dpkg-deb, and
// their Depends follow depmod's modules.dep: bridge.ko needs stp.ko and
// llc.ko, stp.ko needs llc.ko.

const tempDir = scratchDirs(test);
const project = tempDir('strata-kmod-');
writeFileSync(
  join(project, 'strata.yaml'),
  `layers: [${join(ROOT, 'layers/core')}, ${join(FIXTURES, 'layers/kmod')}]\nmirrors: [${join(ROOT, 'mirror')}]\noffline: true\ncache: ${TEST_CACHE}\n`,
);
const feed = join(project, 'build/deploy/ipk/aarch64');
const field = (pkg: string, name: string) => execFileSync('dpkg-deb', ['--field', join(feed, `${pkg}_6.1.176_aarch64.ipk`), name], { encoding: 'utf8' }).trim();

test('strata build linux: a kernel-module-<name>.ipk per module, with Depends from modules.dep', async () => {
  const r = await strata(['build', 'linux', '--machine', 'qemuarm64', '--project', project], { timeoutMs: 5_400_000 });
  assert.is(r.code, 0, r.stdout.slice(-3000) + r.stderr);
  const modules = readdirSync(feed)
    .filter((f) => f.startsWith('kernel-module-'))
    .sort();
  // Kconfig makes more modules than the fragment names (LLC brings p8022 and psnap, the defaults loop): all packaged.
  for (const m of ['bridge', 'dummy', 'llc', 'stp']) assert.ok(modules.includes(`kernel-module-${m}_6.1.176_aarch64.ipk`), modules.join(' '));
  assert.is(field('kernel-module-bridge', 'Depends'), 'kernel-base, kernel-module-llc, kernel-module-stp');
  assert.is(field('kernel-module-stp', 'Depends'), 'kernel-base, kernel-module-llc');
  assert.is(field('kernel-module-llc', 'Depends'), 'kernel-base');
  assert.is(field('kernel-module-dummy', 'Depends'), 'kernel-base');
  assert.is(field('kernel-module-bridge', 'Source'), 'linux');
  const info = execFileSync('dpkg-deb', ['--info', join(feed, 'kernel-module-bridge_6.1.176_aarch64.ipk')], { encoding: 'utf8' });
  assert.match(info, 'Package: kernel-module-bridge\n');
  const contents = execFileSync('dpkg-deb', ['--contents', join(feed, 'kernel-module-bridge_6.1.176_aarch64.ipk')], { encoding: 'utf8' });
  assert.match(contents, /\.\/lib\/modules\/6\.1\.176\/kernel\/net\/bridge\/bridge\.ko\n/);
  // The module is a stripped aarch64 ELF relocatable (e_type 1, e_machine 183).
  const ko = execFileSync('sh', [
    '-c',
    `dpkg-deb --fsys-tarfile "$0" | tar -xO ./lib/modules/6.1.176/kernel/net/bridge/bridge.ko`,
    join(feed, 'kernel-module-bridge_6.1.176_aarch64.ipk'),
  ]);
  assert.equal([ko.readUInt16LE(16), ko.readUInt16LE(18)], [1, 183]);
  // kernel-base holds the indexes modprobe reads; no module is left in it.
  const base = execFileSync('dpkg-deb', ['--contents', join(feed, 'kernel-base_6.1.176_aarch64.ipk')], { encoding: 'utf8' });
  assert.match(base, './lib/modules/6.1.176/modules.dep\n');
  assert.not.match(base, '.ko\n');
  const index = readFileSync(join(feed, 'Packages'), 'utf8');
  assert.match(index, 'Package: kernel-module-stp\n');
});

test('restored from the cache, the module packages are back in the feed and its index', async () => {
  const again = tempDir('strata-kmod-again-');
  writeFileSync(join(again, 'strata.yaml'), readFileSync(join(project, 'strata.yaml')));
  const r = await strata(['build', 'linux', '--machine', 'qemuarm64', '--project', again], { timeoutMs: 600_000 });
  assert.is(r.code, 0, r.stdout.slice(-3000) + r.stderr);
  assert.match(r.stdout, /cached +linux:package/);
  const againFeed = join(again, 'build/deploy/ipk/aarch64');
  assert.ok(readdirSync(againFeed).includes('kernel-module-stp_6.1.176_aarch64.ipk'));
  assert.match(readFileSync(join(againFeed, 'Packages'), 'utf8'), 'Package: kernel-module-bridge\n');
  assert.ok(
    readFileSync(join(againFeed, 'kernel-module-bridge_6.1.176_aarch64.ipk')).equals(readFileSync(join(feed, 'kernel-module-bridge_6.1.176_aarch64.ipk'))),
  );
});

test.run();
