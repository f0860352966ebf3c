import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, ROOT, scratchDirs, strata, TEST_CACHE } from '../helpers/strata.js';

// The C library's kernel headers come from this kernel's headers_install
// (linux-libc-headers, Linux 6.1.176), not from the host's cross toolchain
// (Debian's linux-libc-dev-arm64-cross, 6.1.4): a recipe compiled against
// musl preprocesses <linux/version.h> with the compiler settings every
// musl program gets (-nostdinc, only its sysroot) and records what it saw.
// Shares the suite's task cache, so musl is built once per suite.

const tempDir = scratchDirs(test);
const project = tempDir('strata-libc-headers-');
const cache = TEST_CACHE;
writeFileSync(
  join(project, 'strata.yaml'),
  `layers: [${join(ROOT, 'layers/core')}, ${join(FIXTURES, 'layers/kheaders')}]\nmirrors: [${join(ROOT, 'mirror')}]\noffline: true\ncache: ${cache}\n`,
);
const work = (r: string) => join(project, 'build/work/qemuarm64', r);
/** A file of a package in the feed (its package task may have been restored from the cache, its install not). */
const fromIpk = (ipk: string, path: string) =>
  execFileSync('sh', ['-c', 'dpkg-deb --fsys-tarfile "$0" | tar -xO ".$1"', join(project, 'build/deploy/ipk/aarch64', ipk), path], { encoding: 'utf8' });
/** KERNEL_VERSION(a, b, c) of <linux/version.h>. */
const code = (a: number, b: number, c: number) => (a << 16) + (b << 8) + Math.min(c, 255);
const build = async (target: string) => {
  const r = await strata(['build', target, '--machine', 'qemuarm64', '--project', project], { timeoutMs: 1_800_000 });
  assert.is(r.code, 0, r.stdout.slice(-3000) + r.stderr);
};

test("a program built against musl sees the kernel's own UAPI headers: <linux/version.h> is 6.1.176", async () => {
  await build('kernel-version-probe');
  const seen = fromIpk('kernel-version-probe_1.0_aarch64.ipk', '/usr/share/kernel-version-probe/version.txt').trim();
  assert.is(seen, `code=${code(6, 1, 176)} major=6 patchlevel=1 sublevel=176`);
});

test('musl ships no kernel headers of its own; musl-dev depends on linux-libc-headers-dev, which has them', async () => {
  await build('musl');
  await build('linux-libc-headers');
  const dev = JSON.parse(readFileSync(join(work('musl-1.2.3'), 'packages/musl-dev.json'), 'utf8')) as { depends: string[]; files: { path: string }[] };
  assert.ok(dev.depends.includes('linux-libc-headers-dev'), dev.depends.join(', '));
  assert.ok(
    dev.files.some((f) => f.path === '/usr/include/stdio.h'),
    "musl's own headers are there",
  );
  assert.not.ok(
    dev.files.some((f) => f.path.startsWith('/usr/include/linux/') || f.path.startsWith('/usr/include/asm')),
    'no copy of the UAPI headers in musl-dev',
  );
  assert.match(fromIpk('linux-libc-headers-dev_6.1.176_aarch64.ipk', '/usr/include/linux/version.h'), `#define LINUX_VERSION_CODE ${code(6, 1, 176)}\n`);
});

test.run();
