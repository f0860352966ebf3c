import { existsSync } from 'node:fs';
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import type { SourceLocation } from '../diagnostics/diagnostic.js';
import { assignment, Level, type Assignment } from '../metadata/assignment.js';
import { asNumber, asSeq, asString, asStringList, get, readMap } from '../metadata/schema.js';
import type { LEntry, LValue } from '../metadata/yaml.js';
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

export interface QemuSettings {
  readonly binary: string;
  readonly machine: string;
  readonly cpu?: string;
  readonly memory: number;
  readonly smp: number;
  readonly args: readonly string[];
  /** How QEMU loads the boot chain (files the boot chain deploys); set for machines that boot from their disk. */
  readonly firmware?: QemuFirmware;
  /** How the disk is attached: `-drive if=<interface>` (default virtio), or `-device <device>` (e.g. virtio-blk-device, the MMIO transport). */
  readonly diskInterface?: string;
  readonly diskDevice?: string;
}

/** QEMU's loaders: -bios (U-Boot, OpenSBI, U-Boot SPL), -kernel (U-Boot in S-mode under OpenSBI), -pflash. */
export interface QemuFirmware {
  readonly bios?: string;
  readonly kernel?: string;
  readonly pflash?: string;
}

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
  readonly console?: string;
  readonly qemu?: QemuSettings;
  /** firmware → bootloader → kernel, in boot order (`boot-chain:`); empty when not given. */
  readonly bootChain: readonly BootStage[];
  /** The partitioned disk the board boots from (`disk:`), when it has one. */
  readonly disk?: MachineDisk;
}

const KEYS = ['name', 'summary', 'arch', 'overrides', 'providers', 'vars', 'console', 'qemu', 'kernel', 'bootloader', 'boot-chain', 'disk'];
const KERNEL_KEYS = ['image', 'defconfig', 'fragments', 'devicetrees'];
const BOOTLOADER_KEYS = ['name', 'defconfig'];

const set = (name: string, value: string, e: LEntry): Assignment => assignment(name, value, Level.Machine, e.value.loc);

/**
 * `kernel:` as variables. A fragment beside the file that lists it (a
 * machine or an include) is made an absolute path here; any other name is
 * left for the kernel recipe to find like a file:// source. Each one is its
 * own `KERNEL_FRAGMENTS:append`, so an error about a fragment points at the
 * line that listed it, and includes and the machine add up.
 */
function kernelVars(v: LValue): Assignment[] {
  const entries = readMap(v, KERNEL_KEYS, 'machine kernel');
  const out: Assignment[] = [];
  const scalar: Record<string, string> = { image: 'KERNEL_IMAGETYPE', defconfig: 'KERNEL_DEFCONFIG' };
  const listed = (v.kind === 'map' ? v.entries : []).filter((e) => e.key === 'fragments' || e.key === 'devicetrees');
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

function bootloaderVars(v: LValue): { vars: Assignment[]; name: string; loc: SourceLocation } {
  const m = readMap(v, BOOTLOADER_KEYS, 'machine bootloader', ['name']);
  const name = get(m, 'name')!;
  const defconfig = m.get('defconfig');
  return {
    vars: defconfig ? [set('BOOTLOADER_DEFCONFIG', asString(defconfig.value, 'machine bootloader defconfig'), defconfig)] : [],
    name: asString(name, 'machine bootloader name'),
    loc: name.loc,
  };
}
const QEMU_KEYS = ['binary', 'machine', 'cpu', 'memory', 'smp', 'args', 'firmware', 'disk-interface', 'disk-device'];
const FIRMWARE_KEYS = ['bios', 'kernel', 'pflash'];

export function loadMachine(file: string, read: MetadataReader = parseYamlFile): Machine {
  const tree = read(file);
  const m = readMap(tree, KEYS, 'machine', ['arch']);
  const q = get(m, 'qemu');
  let qemu: QemuSettings | undefined;
  if (q) {
    const qm = readMap(q, QEMU_KEYS, 'machine qemu', ['binary', 'machine']);
    const opt = (k: string) => get(qm, k);
    qemu = {
      binary: asString(opt('binary')!, 'qemu binary'),
      machine: asString(opt('machine')!, 'qemu machine'),
      cpu: opt('cpu') ? asString(opt('cpu')!, 'qemu cpu') : undefined,
      memory: opt('memory') ? asNumber(opt('memory')!, 'qemu memory') : 512,
      smp: opt('smp') ? asNumber(opt('smp')!, 'qemu smp') : 1,
      args: opt('args') ? asStringList(opt('args')!, 'qemu args') : [],
      firmware: opt('firmware') ? firmwareOf(opt('firmware')!) : undefined,
      diskInterface: opt('disk-interface') ? asString(opt('disk-interface')!, 'qemu disk-interface') : undefined,
      diskDevice: opt('disk-device') ? asString(opt('disk-device')!, 'qemu disk-device') : undefined,
    };
  }
  const name = get(m, 'name') ? asString(get(m, 'name')!, 'machine name') : basename(file, '.yaml');
  const overrides = get(m, 'overrides');
  const console = get(m, 'console');
  const providers = readProviders(m);
  const boardVars: Assignment[] = [];
  const kernel = get(m, 'kernel');
  if (kernel) boardVars.push(...kernelVars(kernel));
  const bl = get(m, 'bootloader');
  if (bl) {
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
    console: console ? asString(console, 'machine console') : undefined,
    qemu,
    bootChain,
    disk: get(m, 'disk') ? readMachineDisk(get(m, 'disk')!) : undefined,
  };
}

function firmwareOf(v: LValue): QemuFirmware {
  const f = readMap(v, FIRMWARE_KEYS, 'machine qemu firmware');
  const file = (k: string) => (get(f, k) ? asString(get(f, k)!, `qemu firmware ${k}`) : undefined);
  return { bios: file('bios'), kernel: file('kernel'), pflash: file('pflash') };
}
