import { existsSync } from 'node:fs';
import { readCheckedFile } from '../metadata/include.js';
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import type { SourceLocation } from '../diagnostics/diagnostic.js';
import { assignment, Level, type Assignment } from '../metadata/assignment.js';
import { anything, asNumber, asSeq, asString, asStringList, dict, get, map, num, str, strings, text } from '../metadata/schema.js';
import type { LEntry, LMap, LValue } from '../metadata/tree.js';
import { parseYamlFile } from '../metadata/yaml.js';
import type { MetadataReader } from '../metadata/recipe-file.js';
import { readMachineDisk, type MachineDisk } from './machine-disk.js';
import { readProviders, readVars, type ProviderChoice } from './vars.js';

// A machine file describes one board: its architecture, cross prefix,
// kernel (base config, fragments, image type, device trees), bootloader and
// the chain of stages that boot it, its console and how QEMU runs it.
// The `kernel:` and `bootloader:` keys become ordinary machine variables
// (KERNEL_DEFCONFIG, KERNEL_FRAGMENTS, …, BOOTLOADER_DEFCONFIG) at the line
// they are written on, so recipes read them like any variable and
// `strata env` shows where they came from; see docs/boards.md.

/**
 * How QEMU runs a machine: the `qemu:` keys of a machine file, copied as
 * they are into the `qemu` object of qemuboot.json (core/qemu/qemuboot.ts),
 * so both files spell every setting the same way.
 */
export interface QemuSystem {
  /** Looked up on PATH. */
  readonly binary: string;
  /** -M */
  readonly machine: string;
  /** -cpu */
  readonly cpu?: string;
  /** -m, MiB */
  readonly memory: number;
  /** -smp */
  readonly smp: number;
  /** Appended verbatim after the arguments Strata builds. */
  readonly extraArgs: readonly string[];
}

/** A machine file's `qemu:`: the shared settings, plus how the board loads its boot chain and attaches its disk (qemuboot.json's `firmware` and `disks`). */
export interface MachineQemu extends QemuSystem {
  /** How QEMU loads the boot chain (files the boot chain deploys); set for machines that boot from their disk. */
  readonly firmware?: QemuFirmware;
  /** How the disk is attached: `-drive if=<interface>` (default virtio), or `-device <device>` (e.g. virtio-blk-device, the MMIO transport). */
  readonly diskInterface?: string;
  readonly diskDevice?: string;
  /**
   * How long testimage waits for the shell prompt, in seconds (`boot-timeout:`;
   * testimage's own default when absent). A board that reads its kernel
   * slowly (the HiFive Unleashed over emulated SPI) needs more than a virt board.
   */
  readonly bootTimeout?: number;
}

/** QEMU's loaders: -bios (U-Boot, OpenSBI, U-Boot SPL), -kernel (U-Boot in S-mode under OpenSBI), -pflash. */
export interface QemuFirmware {
  readonly bios?: string;
  readonly kernel?: string;
  readonly pflash?: string;
}

/** The `qemu:` map of a machine file and the `qemu` object of qemuboot.json. */
export const QEMU_SHAPE = map(
  {
    binary: str({ nonEmpty: true }),
    machine: str({ nonEmpty: true }),
    cpu: str({ nonEmpty: true }),
    memory: num({ whole: true, min: 1 }),
    smp: num({ whole: true, min: 1 }),
    extraArgs: strings,
  },
  { required: ['binary', 'machine'], renamed: { args: 'extraArgs' } },
);

/** QEMU settings left out of a machine file (and of a qemuboot.json). */
export const QEMU_DEFAULTS = { memory: 512, smp: 1, extraArgs: [] as readonly string[] } as const;

/**
 * The serial console when a machine names none: the kernel's `console=` of
 * a QEMU boot and the rootfs's CONSOLE variable (the getty) use the same.
 */
export const DEFAULT_CONSOLE = 'ttyS0';

/** One stage of the boot chain: a recipe or provided name, where the machine lists it. */
export interface BootStage {
  readonly name: string;
  readonly loc: SourceLocation;
}

export interface Machine {
  readonly name: string;
  readonly arch: string;
  readonly file: string;
  readonly loc: SourceLocation;
  readonly overrides: readonly string[];
  readonly providers: ReadonlyMap<string, ProviderChoice>;
  readonly assignments: readonly Assignment[];
  /** Serial console device (DEFAULT_CONSOLE when the file names none). */
  readonly console: string;
  readonly qemu?: MachineQemu;
  /** firmware → bootloader → kernel, in boot order (`boot-chain:`); empty when not given. */
  readonly bootChain: readonly BootStage[];
  /** The partitioned disk the board boots from (`disk:`), when it has one. */
  readonly disk?: MachineDisk;
}

/** The shape of MachineQemu. */
const MACHINE_QEMU = map(
  {
    ...QEMU_SHAPE.keys,
    firmware: map({ bios: str({ nonEmpty: true }), kernel: str({ nonEmpty: true }), pflash: str({ nonEmpty: true }) }),
    'disk-interface': str({ nonEmpty: true }),
    'disk-device': str({ nonEmpty: true }),
    'boot-timeout': num({ whole: true, min: 1 }),
  },
  { required: QEMU_SHAPE.required, renamed: QEMU_SHAPE.renamed },
);

/** A machine file (docs/metadata.md, docs/boards.md), checked whole before anything is read from it. */
const MACHINE = map(
  {
    name: str(),
    summary: str(),
    arch: str({ nonEmpty: true }),
    overrides: strings,
    providers: dict(str(), (key) => `provider of ${key}`),
    vars: dict(text, (key) => `variable ${key}`),
    console: str({ nonEmpty: true }),
    qemu: MACHINE_QEMU,
    kernel: map({ image: str(), defconfig: str(), fragments: strings, devicetrees: strings }),
    bootloader: map({ name: str({ nonEmpty: true }), defconfig: str() }, { required: ['name'] }),
    'boot-chain': strings,
    // Checked by readMachineDisk (core/config/machine-disk.ts), which knows sizes and layouts.
    disk: anything,
  },
  { required: ['arch'] },
);

const set = (name: string, value: string, e: LEntry): Assignment => assignment(name, value, Level.Machine, e.value.loc);

/**
 * `kernel:` as variables. A fragment beside the file that lists it (a
 * machine or an include) is made an absolute path here; any other name is
 * left for the kernel recipe to find like a file:// source. Each one is its
 * own `KERNEL_FRAGMENTS:append`, so an error about a fragment points at the
 * line that listed it, and includes and the machine add up.
 */
function kernelVars(v: LMap): Assignment[] {
  const entries = new Map(v.entries.map((e) => [e.key, e]));
  const out: Assignment[] = [];
  const scalar: Record<string, string> = { image: 'KERNEL_IMAGETYPE', defconfig: 'KERNEL_DEFCONFIG' };
  const listed = v.entries.filter((e) => e.key === 'fragments' || e.key === 'devicetrees');
  for (const [key, e] of entries) if (scalar[key]) out.push(set(scalar[key], asString(e.value, `machine kernel ${key}`), e));
  for (const e of listed) {
    for (const item of asSeq(e.value, `machine kernel ${e.key}`)) {
      const text = asString(item, `machine kernel ${e.key}`);
      const beside = resolve(dirname(item.loc.file), text);
      const value = e.key === 'fragments' && !isAbsolute(text) && existsSync(beside) ? beside : text;
      out.push(assignment(e.key === 'fragments' ? 'KERNEL_FRAGMENTS:append' : 'KERNEL_DEVICETREE:append', ` ${value}`, Level.Machine, item.loc));
    }
  }
  return out;
}

function bootloaderVars(v: LMap): { vars: Assignment[]; name: string; loc: SourceLocation } {
  const m = new Map(v.entries.map((e) => [e.key, e]));
  const name = get(m, 'name')!;
  const defconfig = m.get('defconfig');
  return {
    vars: defconfig ? [set('BOOTLOADER_DEFCONFIG', asString(defconfig.value, 'machine bootloader defconfig'), defconfig)] : [],
    name: asString(name, 'machine bootloader name'),
    loc: name.loc,
  };
}

export function loadMachine(file: string, read: MetadataReader = parseYamlFile): Machine {
  const { tree, entries: m } = readCheckedFile(read, file, MACHINE, 'machine');
  const q = get(m, 'qemu');
  let qemu: MachineQemu | undefined;
  if (q?.kind === 'map') {
    const qm = new Map(q.entries.map((e) => [e.key, e]));
    const opt = (k: string) => get(qm, k);
    qemu = {
      binary: asString(opt('binary')!, 'qemu binary'),
      machine: asString(opt('machine')!, 'qemu machine'),
      cpu: opt('cpu') ? asString(opt('cpu')!, 'qemu cpu') : undefined,
      memory: opt('memory') ? asNumber(opt('memory')!, 'qemu memory') : QEMU_DEFAULTS.memory,
      smp: opt('smp') ? asNumber(opt('smp')!, 'qemu smp') : QEMU_DEFAULTS.smp,
      extraArgs: opt('extraArgs') ? asStringList(opt('extraArgs')!, 'qemu extraArgs') : QEMU_DEFAULTS.extraArgs,
      // Only when given, so a machine without a boot chain has the plain QEMU settings.
      ...(opt('firmware') ? { firmware: firmwareOf(opt('firmware')!) } : {}),
      ...(opt('disk-interface') ? { diskInterface: asString(opt('disk-interface')!, 'qemu disk-interface') } : {}),
      ...(opt('disk-device') ? { diskDevice: asString(opt('disk-device')!, 'qemu disk-device') } : {}),
      ...(opt('boot-timeout') ? { bootTimeout: asNumber(opt('boot-timeout')!, 'qemu boot-timeout') } : {}),
    };
  }
  const name = get(m, 'name') ? asString(get(m, 'name')!, 'machine name') : basename(file, '.yaml');
  const overrides = get(m, 'overrides');
  const console = get(m, 'console');
  const providers = readProviders(m);
  const boardVars: Assignment[] = [];
  const kernel = get(m, 'kernel');
  if (kernel?.kind === 'map') boardVars.push(...kernelVars(kernel));
  const bl = get(m, 'bootloader');
  if (bl?.kind === 'map') {
    const b = bootloaderVars(bl);
    boardVars.push(...b.vars);
    // `providers:` may still name another one explicitly.
    if (!providers.has('virtual/bootloader')) providers.set('virtual/bootloader', { provider: b.name, loc: b.loc });
  }
  const chain = get(m, 'boot-chain');
  const bootChain = chain ? asSeq(chain, 'machine boot-chain').map((i) => ({ name: asString(i, 'machine boot-chain'), loc: i.loc })) : [];
  if (chain) boardVars.push(assignment('BOOT_CHAIN', bootChain.map((b) => b.name).join(' '), Level.Machine, chain.loc));
  return {
    name,
    arch: asString(get(m, 'arch')!, 'machine arch'),
    file,
    loc: tree.loc,
    overrides: overrides ? asStringList(overrides, 'machine overrides') : [],
    providers,
    // The board keys first, so the machine's own `vars:` can still change them.
    assignments: [...boardVars, ...readVars(m, Level.Machine)],
    console: console ? asString(console, 'machine console') : DEFAULT_CONSOLE,
    qemu,
    bootChain,
    disk: get(m, 'disk') ? readMachineDisk(get(m, 'disk')!) : undefined,
  };
}

function firmwareOf(v: LValue): QemuFirmware {
  const f = new Map(v.kind === 'map' ? v.entries.map((e) => [e.key, e]) : []);
  const file = (k: string) => (get(f, k) ? asString(get(f, k)!, `qemu firmware ${k}`) : undefined);
  return { bios: file('bios'), kernel: file('kernel'), pflash: file('pflash') };
}
