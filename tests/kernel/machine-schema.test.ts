import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { loadProject } from '../../core/config/project.js';
import { planBuild } from '../../core/graph/plan.js';
import { bootChainRecipes } from '../../core/kernel/boot-chain.js';
import { checkDefconfig, resolveFragments } from '../../core/kernel/kconfig-inputs.js';
import { Configuration } from '../../core/resolve/configuration.js';
import { diagOf } from '../helpers/diagnostics.js';
import { layerSet } from '../helpers/layer-set.js';
import { ROOT, scratchDirs, writeTree } from '../helpers/strata.js';
import { readFileSync } from 'node:fs';

// The machine schema's board keys (kernel:, bootloader:, boot-chain:), the
// built-in machines, and the errors a wrong board gets before anything is
// compiled: an unknown defconfig, a defconfig for another architecture, a
// missing fragment, a boot chain that does not build for the machine.

const tempDir = scratchDirs(test);
const builtIn = (machine: string) => new Configuration(loadProject(tempDir('strata-machines-'), { machine }));

// machine → [kernel image type, kernel arch, u-boot defconfig, boot chain, fragment files]
const MACHINES: Record<string, [string, string, string, string, string[]]> = {
  qemuarm64: ['Image', 'arm64', 'qemu_arm64_defconfig', 'u-boot linux', ['virtio-mmio.cfg', 'virtio-pci.cfg', 'network.cfg', 'qemu-virt-arm64.cfg']],
  qemuriscv64: [
    'Image',
    'riscv',
    'qemu-riscv64_smode_defconfig',
    'opensbi u-boot linux',
    ['riscv64.cfg', 'virtio-mmio.cfg', 'virtio-pci.cfg', 'network.cfg', 'qemu-virt-riscv64.cfg'],
  ],
  'qemux86-64': ['bzImage', 'x86_64', 'qemu-x86_defconfig', 'u-boot linux', ['network.cfg', 'qemu-x86-64.cfg']],
  'sifive-unleashed': ['Image', 'riscv', 'sifive_unleashed_defconfig', 'u-boot-opensbi opensbi linux', ['riscv64.cfg', 'sifive-fu540.cfg']],
};

test('qemuarm64-debian boots the prebuilt Debian kernel, with no bootloader to build', () => {
  const cfg = builtIn('qemuarm64-debian');
  assert.is(cfg.provider('virtual/kernel', 'test').name, 'linux-debian-arm64');
  assert.is(cfg.machine.qemu?.firmware, undefined);
});

test('the QEMU machines have a GPT disk (boot, root) and boot it through their firmware', () => {
  for (const [name, bios] of [
    ['qemuarm64', 'u-boot.bin'],
    ['qemuriscv64', 'fw_dynamic.bin'],
    ['qemux86-64', 'u-boot.rom'],
  ]) {
    const m = builtIn(name as string).machine;
    assert.is(m.qemu?.firmware?.bios, bios, name);
    assert.equal(
      m.disk?.partitions.map((p) => [p.label, p.fs, p.content]),
      [
        ['boot', 'vfat', 'boot'],
        ['root', 'ext4', 'rootfs'],
      ],
    );
  }
});

test('sifive-unleashed boots its SD card: SPL at the reset vector, the card on the SD slot, loaders by their SiFive type GUIDs', () => {
  const m = builtIn('sifive-unleashed').machine;
  assert.equal([m.qemu?.machine, m.qemu?.firmware?.bios, m.qemu?.diskInterface], ['sifive_u,msel=11', 'u-boot-spl.bin', 'sd']);
  // U-Boot reads the kernel over emulated SPI: minutes, more than testimage's default 120 s.
  assert.ok((m.qemu?.bootTimeout ?? 0) >= 600, `boot-timeout ${m.qemu?.bootTimeout}`);
  assert.equal(
    m.disk?.partitions.map((p) => [p.label, p.fs, p.type, p.offset, p.content]),
    [
      ['loader1', 'none', '5B193300-FC78-40CD-8002-E86C45580B47', '17K', { raw: 'u-boot-spl.bin' }],
      ['loader2', 'none', '2E54B353-1271-4842-806F-E436D6AF6985', '1041K', { raw: 'u-boot.itb' }],
      ['boot', 'vfat', undefined, undefined, 'boot'],
      ['root', 'ext4', undefined, undefined, 'rootfs'],
    ],
  );
});

for (const [name, [image, arch, defconfig, chain, fragments]] of Object.entries(MACHINES)) {
  test(`built-in machine ${name}: kernel, bootloader and boot chain from its file and includes`, () => {
    const cfg = builtIn(name);
    const linux = cfg.recipe('linux');
    assert.is(cfg.provider('virtual/kernel', 'test').name, 'linux');
    assert.is(linux.data.get('KERNEL_IMAGETYPE'), image);
    assert.is(linux.data.get('KERNEL_ARCH'), arch);
    assert.is(linux.data.get('KCONFIG_DEFCONFIG'), 'tinyconfig');
    const files = resolveFragments(linux);
    assert.equal(files.problems, []);
    assert.equal(
      files.fragments.map((f) => f.path.split('/').pop()),
      ['strata-base.cfg', ...fragments],
    );
    const boot = cfg.provider('virtual/bootloader', 'test');
    assert.is(boot.data.get('KCONFIG_DEFCONFIG'), defconfig);
    assert.is(linux.data.get('BOOT_CHAIN'), chain);
    assert.equal(
      bootChainRecipes(cfg).map((r) => r.name),
      chain.split(' '),
    );
    // The defconfig line of the machine file is where the value comes from.
    const origin = boot.data.history('BOOTLOADER_DEFCONFIG').find((h) => h.effect === 'final')!.assignment.loc;
    assert.is(origin.file, join(ROOT, 'machines', `${name}.yaml`));
  });
}

test('fragments from an include and from the machine add up, in order, each at the line that lists it, relative to its file', () => {
  const s = layerSet(tempDir, {
    core: {
      'machines/include/soc.inc.yaml': 'kernel:\n  defconfig: tinyconfig\n  fragments: [../frags/soc.cfg]\n',
      'machines/frags/soc.cfg': 'CONFIG_SOC=y\n',
      'machines/board-frags/board.cfg': 'CONFIG_BOARD=y\n',
      'machines/board.yaml': 'include: [include/soc]\narch: aarch64\nkernel:\n  image: Image\n  fragments: [board-frags/board.cfg, by-name.cfg]\n',
    },
  });
  const cfg = new Configuration(s.project());
  const entries = cfg.machine.assignments.filter((a) => a.name === 'KERNEL_FRAGMENTS');
  assert.equal(
    entries.map((a) => [a.op, a.value.trim(), a.loc.file.split('/').pop(), a.loc.line]),
    [
      ['append', join(s.layer('core'), 'machines/frags/soc.cfg'), 'soc.inc.yaml', 3],
      ['append', join(s.layer('core'), 'machines/board-frags/board.cfg'), 'board.yaml', 5],
      // Not beside the machine: left as a name, for the kernel recipe to look up like a file:// source.
      ['append', 'by-name.cfg', 'board.yaml', 5],
    ],
  );
  assert.is(cfg.machine.assignments.find((a) => a.name === 'KERNEL_DEFCONFIG')?.value, 'tinyconfig');
});

test('an unknown key under kernel: or bootloader: is an error at that key, with a suggestion', () => {
  const s = layerSet(tempDir, { core: { 'machines/board.yaml': 'arch: aarch64\nkernel:\n  defconfg: tinyconfig\n' } });
  const d = diagOf(() => new Configuration(s.project()));
  assert.is(d.code, 'schema-unknown-key');
  assert.equal([d.location?.line, d.location?.column], [3, 3]);
  assert.match(d.hint!, "did you mean 'defconfig'?");
  const s2 = layerSet(tempDir, { core: { 'machines/board.yaml': 'arch: aarch64\nbootloader:\n  defconfig: x_defconfig\n' } });
  assert.is(diagOf(() => new Configuration(s2.project())).code, 'schema-missing-key');
});

test('qemu: boot-timeout: is whole seconds; anything else is an error at its line', () => {
  for (const [value, found] of [
    ['soon', 'string "soon"'],
    ['0', '0'],
    ['2.5', '2.5'],
    ['-3', '-3'],
  ]) {
    const s = layerSet(tempDir, {
      core: { 'machines/board.yaml': `arch: aarch64\nqemu:\n  binary: qemu-system-aarch64\n  machine: virt\n  boot-timeout: ${value}\n` },
    });
    const d = diagOf(() => new Configuration(s.project()));
    assert.match(d.message, `machine qemu boot-timeout: expected a whole number of at least 1, found ${found}`);
    assert.equal([d.location?.file.endsWith('machines/board.yaml'), d.location?.line], [true, 5], value);
  }
  const ok = layerSet(tempDir, { core: { 'machines/board.yaml': 'arch: aarch64\nqemu: { binary: qemu-system-aarch64, machine: virt, boot-timeout: 300 }\n' } });
  assert.is(new Configuration(ok.project()).machine.qemu?.bootTimeout, 300);
});

/** A project with the real core layer and a BSP layer holding `machine`. */
function bspProject(machine: string, files: Record<string, string> = {}): Configuration {
  const dir = tempDir('strata-bsp-');
  writeTree(dir, {
    'strata.yaml': `layers: [${join(ROOT, 'layers/core')}, bsp]\nmachine: board\n`,
    'bsp/layer.yaml': 'name: bsp\n',
    'bsp/machines/board.yaml': machine,
    ...Object.fromEntries(Object.entries(files).map(([k, v]) => [`bsp/${k}`, v])),
  });
  return new Configuration(loadProject(dir));
}

test('a boot chain naming a recipe that does not build for the machine arch fails when planning, at the machine line', () => {
  const cfg = bspProject('include: [machine/arm64]\nproviders: { virtual/kernel: linux }\nboot-chain: [opensbi, linux]\n');
  const d = diagOf(() => planBuild(cfg, 'busybox'));
  assert.is(d.code, 'boot-chain-arch');
  assert.match(d.message, 'machine board is aarch64, but its boot chain names opensbi, which builds for riscv64 only');
  assert.equal([d.location?.file.endsWith('bsp/machines/board.yaml'), d.location?.line], [true, 3]);
  assert.ok(d.related?.[0].location?.file.endsWith('opensbi.yaml'));
});

test('bootloader: without boot-chain: is checked too', () => {
  const cfg = bspProject('include: [machine/x86-64]\nbootloader: { name: u-boot-opensbi, defconfig: qemu-x86_64_defconfig }\n');
  const d = diagOf(() => planBuild(cfg, 'busybox'));
  assert.is(d.code, 'boot-chain-arch');
  assert.is(d.location?.line, 2);
});

/** A fake source tree with arch/arm64/configs and U-Boot-like configs/. */
function fakeTree(): string {
  const S = tempDir('strata-fake-src-');
  writeTree(S, {
    'arch/arm64/configs/defconfig': 'CONFIG_ARM64=y\n',
    'arch/arm64/configs/virt_defconfig': 'CONFIG_ARM64=y\n',
    'configs/qemu_arm64_defconfig': 'CONFIG_ARM=y\nCONFIG_ARCH_QEMU=y\n',
    'configs/qemu-riscv64_smode_defconfig': 'CONFIG_RISCV=y\n',
  });
  return S;
}

test('an unknown kernel defconfig is an error at the machine line that names it, with the closest name', () => {
  const S = fakeTree();
  // S points at the fake tree through a machine variable.
  const cfg2 = bspProject(`include: [machine/arm64]\nproviders: { virtual/kernel: linux }\nkernel:\n  defconfig: virt_defconfg\nvars:\n  S:pn-linux: ${S}\n`);
  const [d] = checkDefconfig(cfg2.recipe('linux'), (p) => readFileSync(p, 'utf8'));
  assert.is(d.code, 'kconfig-defconfig-unknown');
  assert.match(d.message, "unknown defconfig 'virt_defconfg'");
  assert.equal([d.location?.file.endsWith('bsp/machines/board.yaml'), d.location?.line], [true, 4]);
  assert.match(d.hint!, "did you mean 'virt_defconfig'?");
  const ok = bspProject(`include: [machine/arm64]\nkernel:\n  defconfig: virt_defconfig\nvars:\n  S:pn-linux: ${S}\n`);
  assert.equal(
    checkDefconfig(ok.recipe('linux'), (p) => readFileSync(p, 'utf8')),
    [],
  );
  const tiny = bspProject(`include: [machine/arm64]\nkernel:\n  defconfig: tinyconfig\nvars:\n  S:pn-linux: /nonexistent\n`);
  assert.equal(
    checkDefconfig(tiny.recipe('linux'), (p) => readFileSync(p, 'utf8')),
    [],
  );
});

test('a U-Boot defconfig for another architecture is refused before make runs', () => {
  const S = fakeTree();
  const cfg = bspProject(`include: [machine/arm64]\nbootloader:\n  name: u-boot\n  defconfig: qemu-riscv64_smode_defconfig\nvars:\n  S:pn-u-boot: ${S}\n`);
  const [d] = checkDefconfig(cfg.recipe('u-boot'), (p) => readFileSync(p, 'utf8'));
  assert.is(d.code, 'kconfig-defconfig-arch');
  assert.match(d.message, "defconfig 'qemu-riscv64_smode_defconfig' is not for aarch64: it does not set CONFIG_ARM=y");
  assert.equal([d.location?.file.endsWith('bsp/machines/board.yaml'), d.location?.line], [true, 4]);
  const ok = bspProject(`include: [machine/arm64]\nbootloader: { name: u-boot, defconfig: qemu_arm64_defconfig }\nvars:\n  S:pn-u-boot: ${S}\n`);
  assert.equal(
    checkDefconfig(ok.recipe('u-boot'), (p) => readFileSync(p, 'utf8')),
    [],
  );
});

test('a fragment found nowhere is an error at the machine line that lists it, naming where it looked', () => {
  const cfg = bspProject('include: [machine/arm64]\nkernel:\n  fragments: [ghost.cfg]\n');
  const { problems } = resolveFragments(cfg.recipe('linux'));
  assert.is(problems.length, 1);
  assert.is(problems[0].code, 'kconfig-fragment-missing');
  assert.equal([problems[0].location?.file.endsWith('bsp/machines/board.yaml'), problems[0].location?.line], [true, 3]);
  assert.match(problems[0].hint!, 'recipes/linux');
});

test.run();
