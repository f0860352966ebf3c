import { writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { deployFile, deployText } from '../../deploy/deploy.js';
import type { QemuBootRecord, QemuDisk } from '../../qemu/qemuboot.js';
import { formatQemuBoot, qemuBootFor } from '../../qemu/qemuboot-write.js';
import type { ImagePlan } from '../../graph/plan.js';
import { readRootfsManifest } from '../../rootfs/manifest.js';
import { TaskFailed, type BuildContext, type TaskImplementation } from '../context.js';
import { rootfsManifestPath } from './rootfs.js';
import { imageRecordsOf, recordNames } from '../image-records.js';
import { formatDiagnostic } from '../../diagnostics/printer.js';
import { planBuild } from '../../graph/plan.js';
import { bootFiles } from '../../kernel/boot-chain.js';
import { DISK_TYPE, diskSignature, kernelDevicetrees, writeMachineDisk } from './image-disk.js';

// Writes the image files from the rootfs manifest and deploys them with the
// kernel, a package manifest and the qemuboot.json runqemu reads.

const planOf = (p: unknown): ImagePlan => (p as { plan: ImagePlan }).plan;

export const imageBaseName = (plan: ImagePlan, ctx: BuildContext): string => `${plan.image.name}-${ctx.cfg.machine.name}`;

function kernelPath(plan: ImagePlan): string {
  const k = plan.kernel;
  return join(k.data.get('D'), k.data.getOr('KERNEL_IMAGE', 'boot/Image'));
}

/** Boots the disk through the machine's firmware when it has both, else the kernel with the initramfs. */
function qemuBoot(plan: ImagePlan, ctx: BuildContext, initrd: string): QemuBootRecord {
  const m = ctx.cfg.machine;
  if (!m.qemu) throw new TaskFailed(`machine ${m.name} has no 'qemu:' settings, so its images cannot boot in QEMU`);
  const data = ctx.cfg.imageData(plan.image);
  const set = (name: string): string | undefined => (data.has(name) ? data.get(name) : undefined);
  const common = { image: plan.image.name, prompt: set('TEST_PROMPT'), poweroff: set('TEST_POWEROFF') };
  if (m.disk && m.qemu.firmware) {
    const disk: QemuDisk = { file: `${imageBaseName(plan, ctx)}.${DISK_TYPE}`, format: 'raw', interface: m.qemu.diskInterface, device: m.qemu.diskDevice };
    // Undefined fields dropped, so the record round-trips through its JSON.
    return qemuBootFor(m, m.qemu, { ...common, firmware: m.qemu.firmware, disks: [JSON.parse(JSON.stringify(disk)) as QemuDisk] });
  }
  return qemuBootFor(m, m.qemu, { ...common, kernel: `Image-${m.name}.bin`, initrd: initrd || undefined, append: set('KERNEL_CMDLINE') });
}

/**
 * The kernel command line on the disk's boot partition (root=PARTUUID= is
 * added): DISK_KERNEL_CMDLINE, or the image's KERNEL_CMDLINE with its
 * initramfs init (`rdinit=`) as the init of the root file system (`init=`),
 * so an image that names its own PID 1 gets it from either boot.
 */
function diskBootargs(plan: ImagePlan, ctx: BuildContext): string {
  const m = ctx.cfg.machine;
  const data = ctx.cfg.imageData(plan.image);
  if (data.has('DISK_KERNEL_CMDLINE')) return data.get('DISK_KERNEL_CMDLINE');
  const words = data.getOr('KERNEL_CMDLINE', '').split(/\s+/).filter(Boolean).map((w) => w.replace(/^rdinit=/, 'init='));
  if (!words.some((w) => w.startsWith('console='))) words.unshift(`console=${m.console}`);
  words.push('rootwait', 'rw');
  // On QEMU boards a panic reboots, which ends QEMU (-no-reboot), instead of hanging a test.
  if (m.qemu && !words.some((w) => w.startsWith('panic='))) words.push('panic=-1');
  return words.join(' ');
}

/** Firmware and bootloader files of the boot chain, and the kernel's device trees and .config (BOOT_FILES). */
const bootDeploys = (plan: ImagePlan) => [...plan.boot, plan.kernel].flatMap(bootFiles);

/** The files the image task deploys: what is captured, cached and restored. */
function deployedFiles(plan: ImagePlan, ctx: BuildContext): string[] {
  const base = imageBaseName(plan, ctx);
  const deploy = ctx.layout.imagesDir;
  const types = ctx.cfg.machine.disk ? [...plan.image.types, DISK_TYPE] : plan.image.types;
  const names = [...types.map((t) => `${base}.${t}`), `Image-${ctx.cfg.machine.name}.bin`, `${base}.manifest`, ...recordNames(base), ...bootDeploys(plan).map((f) => f.name)];
  if (ctx.cfg.machine.qemu && (ctx.cfg.machine.disk || plan.image.types.some((t) => t.startsWith('cpio')))) names.push(`${base}.qemuboot.json`);
  return names.map((n) => join(deploy, n));
}

export const imageTask: TaskImplementation = {
  outputs: (node, ctx) => deployedFiles(planOf(node.payload), ctx),
  async inputs(node, ctx) {
    const plan = planOf(node.payload);
    // The boot chain's files by name (their contents come with the stages' install outputs).
    const bootFileNames = bootDeploys(plan).map((f) => f.name);
    const disk = ctx.cfg.machine.disk ? { disk: diskSignature(ctx.cfg.machine.disk), bootargs: diskBootargs(plan, ctx) } : {};
    // The image's types and its disk partitions' file systems: a writer of Strata's own names its output's format.
    const kinds = new Set<string>([...plan.image.types, ...(ctx.cfg.machine.disk?.partitions.map((p) => p.fs) ?? [])]);
    const formats = [...kinds].flatMap((kind) => ctx.writers.find((w) => w.type === kind)?.format ?? []);
    return JSON.stringify({
      ...disk,
      types: plan.image.types,
      ...(formats.length ? { formats } : {}),
      boot: ctx.cfg.machine.qemu ? formatQemuBoot(qemuBoot(plan, ctx, '')) : null,
      epoch: ctx.layout.epoch,
      records: await imageRecordsOf(ctx).inputs(plan, ctx),
      ...(bootFileNames.length ? { bootFiles: bootFileNames } : {}),
    });
  },
  async run(t) {
    const plan = planOf(t.node.payload);
    const rootfs = readRootfsManifest(rootfsManifestPath(t.workdir));
    const entries = rootfs.entries;
    const base = imageBaseName(plan, t.ctx);
    const deploy = t.ctx.layout.imagesDir;
    const log: string[] = [];
    let initrd: string | undefined;
    const images: string[] = [];
    for (const type of plan.image.types) {
      const writer = t.ctx.writers.find((w) => w.type === type);
      if (!writer) throw new TaskFailed(`no image writer for type '${type}'`);
      const out = join(t.workdir, `${base}.${type}`);
      await writer.write(entries, out, t.ctx.layout.epoch, { arch: ociArch(t.ctx.cfg.machine.arch) });
      images.push(await deployFile(out, deploy, `${base}.${type}`));
      log.push(`deployed ${images[images.length - 1]}`);
      if (type.startsWith('cpio')) initrd = `${base}.${type}`;
    }
    const kernel = kernelPath(plan);
    if (!existsSync(kernel)) throw new TaskFailed(`kernel ${kernel} not found: ${plan.kernel.name} must install it (KERNEL_IMAGE, relative to \${D})`);
    const machine = t.ctx.cfg.machine;
    if (machine.disk) {
      const out = join(t.workdir, `${base}.${DISK_TYPE}`);
      const inputs = {
        machine,
        disk: machine.disk,
        imageName: plan.image.name,
        kernel,
        bootFiles: new Map(bootDeploys(plan).map((f) => [f.name, f.from])),
        devicetrees: kernelDevicetrees(plan),
        bootargs: diskBootargs(plan, t.ctx),
      };
      const root = await writeMachineDisk(inputs, entries, out, t.ctx.layout.epoch);
      images.push(await deployFile(out, deploy, `${base}.${DISK_TYPE}`));
      log.push(`deployed ${images[images.length - 1]} (${root || 'no root partition'})`);
    }
    images.push(await deployFile(kernel, deploy, `Image-${t.ctx.cfg.machine.name}.bin`));
    log.push(`deployed ${images[images.length - 1]}`);
    for (const f of bootDeploys(plan)) {
      if (!existsSync(f.from)) throw new TaskFailed(`${f.from} not found: BOOT_FILES names it, so its recipe must install it in \${D}/boot`);
      log.push(`deployed ${await deployFile(f.from, deploy, f.name)}`);
    }
    // One line per installed package: name, recipe, version, architecture, licence.
    const manifest = rootfs.packages.map((p) => `${p.name} ${p.recipe} ${p.version} ${p.arch} ${p.license}`).join('\n') + '\n';
    log.push(`deployed ${await deployText(manifest, deploy, `${base}.manifest`)}`);
    for (const p of await imageRecordsOf(t.ctx).write(plan, t.ctx, deploy, base, images)) log.push(`deployed ${p}`);
    // Licences the SBOM had to turn into LicenseRef-s, at the recipe line that set them.
    log.push(...imageRecordsOf(t.ctx).licenseWarnings(planBuild(t.ctx.cfg, plan.image.name).recipes).map(formatDiagnostic));
    if (t.ctx.cfg.machine.qemu && (initrd || machine.disk)) {
      log.push(`deployed ${await deployText(formatQemuBoot(qemuBoot(plan, t.ctx, initrd ?? '')), deploy, `${base}.qemuboot.json`)}`);
    }
    await writeFile(t.log, log.join('\n') + '\n');
  },
};

/** The machine's architecture in OCI's (Go's) words, for the image config of `oci.tar`. */
function ociArch(arch: string): string {
  return ({ aarch64: 'arm64', x86_64: 'amd64', riscv64: 'riscv64', arm: 'arm', i686: '386' } as Record<string, string>)[arch] ?? arch;
}
