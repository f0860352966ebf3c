import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { UserError } from '../../core/diagnostics/diagnostic.js';
import { findExecutable } from '../../core/qemu/binary.js';
import type { QemuBoot } from '../../core/qemu/qemuboot.js';
import { runQemuInteractive } from '../../core/qemu/runqemu.js';
import { testImage } from '../../core/qemu/testimage.js';

// Without the QEMU binary, both commands say which binary, which field of
// which file named it, and which package to install, before touching the
// terminal or starting anything.

const boot: QemuBoot = {
  file: '/deploy/mini-qemuarm64.qemuboot.json',
  dir: '/deploy',
  machine: 'qemuarm64',
  image: 'mini',
  qemu: { binary: 'qemu-system-aarch64-not-installed', machine: 'virt', memory: 256, smp: 1, extraArgs: [] },
  kernel: 'Image',
  disks: [],
  append: '',
  network: 'none',
  prompt: '# ',
  poweroff: 'poweroff -f',
};

test('findExecutable searches PATH, and takes paths with a slash as they are', () => {
  assert.is(findExecutable('sh', '/nonexistent:/bin:/usr/bin')?.endsWith('/sh'), true);
  assert.is(findExecutable('sh', '/nonexistent'), undefined);
  assert.is(findExecutable('/bin/sh'), '/bin/sh');
});

test('runQemuInteractive: a UserError naming binary, field, file and package', async () => {
  try {
    await runQemuInteractive(boot, { quiet: true });
    assert.unreachable('should have thrown');
  } catch (e) {
    assert.instance(e, UserError);
    const [d] = (e as UserError).diagnostics;
    assert.is(d.code, 'qemu-missing');
    assert.is(d.message, 'QEMU binary "qemu-system-aarch64-not-installed" (qemuboot field "qemu.binary") was not found on PATH');
    assert.is(d.location?.file, boot.file);
    assert.match(d.hint!, 'apt-get install qemu-system-arm');
  }
});

test('testImage: a failed result, every check not run, nothing started', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'strata-qemu-missing-'));
  try {
    const events: string[] = [];
    const r = await testImage(boot, [{ run: 'true' }], { log: join(dir, 'log'), onEvent: (e) => events.push(e.kind) });
    assert.is(r.passed, false);
    assert.is(r.booted, false);
    assert.match(r.reason!, 'qemu-system-aarch64-not-installed');
    assert.match(r.reason!, 'apt-get install qemu-system-arm');
    assert.is(r.checks[0].reason, 'not run: QEMU could not start');
    assert.equal(events, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
