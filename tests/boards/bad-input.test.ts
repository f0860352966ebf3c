import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { ROOT, scratchDirs, strata, writeTree } from '../helpers/strata.js';

// Bad board input against the real source trees (opt-in with tests/boards:
// each case unpacks Linux or U-Boot): every one is an error at the file and
// line the user wrote, and nothing is compiled.

const tempDir = scratchDirs(test);

/** A project with the core layer and a BSP layer whose machine `board` is `machine`. */
function bsp(machine: string, files: Record<string, string> = {}): string {
  const dir = tempDir('strata-bad-board-');
  writeTree(dir, {
    'strata.yaml': `layers: [${join(ROOT, 'layers/core')}, bsp]\nmachine: board\nmirrors: [${join(ROOT, 'mirror')}]\noffline: true\ncache: false\n`,
    'bsp/layer.yaml': 'name: bsp\n',
    'bsp/machines/board.yaml': machine,
    ...Object.fromEntries(Object.entries(files).map(([k, v]) => [`bsp/${k}`, v])),
  });
  return dir;
}

test('a fragment option Kconfig drops fails configure at the fragment line; the kernel is not compiled', async () => {
  // VIRTIO_BLK depends on VIRTIO, which only a transport (VIRTIO_MMIO, VIRTIO_PCI) selects.
  const dir = bsp('include: [machine/arm64]\nproviders: { virtual/kernel: linux }\nkernel:\n  fragments: [kernel/virtio.cfg]\n', {
    'machines/kernel/virtio.cfg': '# virtio disk, but no transport\nCONFIG_VIRTIO_MENU=y\nCONFIG_VIRTIO_BLK=y\n',
  });
  const r = await strata(['build', 'linux', '--project', dir], { timeoutMs: 1_800_000 });
  assert.is(r.code, 1, r.stdout.slice(-2000) + r.stderr);
  const out = r.stdout + r.stderr;
  assert.match(out, `${join(dir, 'bsp/machines/kernel/virtio.cfg')}:3:1: error[kconfig-dropped]: linux: CONFIG_VIRTIO_BLK=y was dropped`);
  assert.not.match(out, /start +linux:compile/);
});

test('an unknown kernel defconfig fails before make runs, at the machine line', async () => {
  const dir = bsp('include: [machine/arm64]\nproviders: { virtual/kernel: linux }\nkernel:\n  defconfig: qemu_defconfig\n');
  const r = await strata(['build', 'linux', '--project', dir], { timeoutMs: 1_800_000 });
  assert.is(r.code, 1, r.stdout.slice(-2000) + r.stderr);
  assert.match(
    r.stdout + r.stderr,
    `${join(dir, 'bsp/machines/board.yaml')}:4:14: error[kconfig-defconfig-unknown]: linux: unknown defconfig 'qemu_defconfig'`,
  );
});

test('a U-Boot defconfig of another architecture fails before make runs, at the machine line', async () => {
  const dir = bsp('include: [machine/arm64]\nbootloader:\n  name: u-boot\n  defconfig: qemu-riscv64_smode_defconfig\n');
  const r = await strata(['build', 'u-boot', '--project', dir], { timeoutMs: 1_800_000 });
  assert.is(r.code, 1, r.stdout.slice(-2000) + r.stderr);
  assert.match(
    r.stdout + r.stderr,
    `${join(dir, 'bsp/machines/board.yaml')}:4:14: error[kconfig-defconfig-arch]: u-boot: defconfig 'qemu-riscv64_smode_defconfig' is not for aarch64`,
  );
});

test('a bootloader that does not build for the machine arch fails when planning: nothing fetched', async () => {
  const dir = bsp('include: [machine/x86-64]\nbootloader: { name: opensbi }\n');
  const r = await strata(['build', 'busybox', '--project', dir]);
  assert.is(r.code, 2, r.stdout + r.stderr);
  assert.match(
    r.stderr,
    `${join(dir, 'bsp/machines/board.yaml')}:2:21: error[boot-chain-arch]: machine board is x86_64, but its boot chain names opensbi, which builds for riscv64 only`,
  );
  assert.not.match(r.stdout, /^fetch/m);
});

test.run();
