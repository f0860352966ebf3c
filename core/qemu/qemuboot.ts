import { readFile, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { diag, type Diagnostic, type SourceLocation } from '../diagnostics/diagnostic.js';
import { closest } from '../metadata/spelling.js';
import { err, ok, type Result } from '../model/result.js';
import { offsetToLocation, scanJson } from './json-locations.js';

// `<image>-<machine>.qemuboot.json` is the contract between deploy and
// runqemu/testimage: deploy writes it beside the images, and it says
// everything needed to boot them, so booting never re-reads recipes.
//
//   {
//     "version": 1,                        optional; the only version so far
//     "machine": "qemuarm64",              Strata machine name (for messages)
//     "image": "minimal",                  Strata image name (for messages)
//     "qemu": {
//       "binary": "qemu-system-aarch64",   looked up on PATH
//       "machine": "virt",                 -M
//       "cpu": "cortex-a53",               -cpu, optional
//       "memory": 1024,                    -m, MiB, default 512
//       "smp": 1,                          -smp, default 1
//       "extraArgs": []                    appended verbatim, default []
//     },
//     "kernel": "Image-qemuarm64.bin",     -kernel
//     "initrd": "minimal.cpio.gz",         -initrd, optional
//     "dtb": "board.dtb",                  -dtb, optional (virt makes its own)
//     "disks": [{ "file": "minimal.ext4", "format": "raw" }],  virtio disks, optional;
//                                          "interface": "sd" (-drive if=sd) or "device":
//                                          "virtio-blk-device" (-device, the MMIO transport)
//     "firmware": {                        optional: boot through the board's firmware and
//       "bios": "u-boot.bin",              bootloader from the disks instead of -kernel:
//       "kernel": "u-boot.bin",            -bios, -kernel (U-Boot S-mode under OpenSBI),
//       "pflash": "flash.img"              -pflash; then "kernel", "initrd", "dtb" and
//     },                                   "append" are not used (optional)
//     "append": "console=ttyAMA0 rdinit=/sbin/init",           kernel command line
//     "console": "ttyAMA0",                added to append as console=… when append has none
//     "network": "none",                   "none" (default) or "user" (QEMU's slirp)
//     "prompt": "~ # ",                    regular expression (JavaScript syntax) that
//                                          matches the end of the shell prompt
//     "poweroff": "poweroff -f"            how testimage asks the guest to stop
//   }
//
// File paths are relative to the folder of the JSON file, so a deploy folder
// can be moved or copied to another machine and still boot.

export type DiskFormat = 'raw' | 'qcow2';
export type QemuNetwork = 'none' | 'user';

export interface QemuSystem {
  readonly binary: string;
  readonly machine: string;
  readonly cpu?: string;
  readonly memory: number;
  readonly smp: number;
  readonly extraArgs: readonly string[];
}

export interface QemuDisk {
  readonly file: string;
  readonly format: DiskFormat;
  /** -drive if=…; default virtio. */
  readonly interface?: string;
  /** A -device for the drive instead of if= (e.g. virtio-blk-device on boards without PCI). */
  readonly device?: string;
}

/** What QEMU loads instead of Linux when the board boots through its own firmware and bootloader. */
export interface QemuFirmware {
  readonly bios?: string;
  readonly kernel?: string;
  readonly pflash?: string;
}

/** A validated qemuboot.json with defaults filled in. Paths are as written (see `dir`). */
export interface QemuBoot {
  /** The JSON file this came from (absolute), for messages. */
  readonly file: string;
  /** Folder that relative paths are resolved against: the JSON file's folder. */
  readonly dir: string;
  readonly machine: string;
  readonly image: string;
  readonly qemu: QemuSystem;
  /** Required unless `firmware` is given. */
  readonly kernel: string;
  readonly firmware?: QemuFirmware;
  readonly initrd?: string;
  readonly dtb?: string;
  readonly disks: readonly QemuDisk[];
  readonly append: string;
  readonly console?: string;
  readonly network: QemuNetwork;
  readonly prompt: string;
  readonly poweroff: string;
}

export const QEMUBOOT_VERSION = 1;
const TOP_KEYS = ['version', 'machine', 'image', 'qemu', 'kernel', 'initrd', 'dtb', 'disks', 'append', 'console', 'network', 'prompt', 'poweroff', 'firmware'];
const QEMU_KEYS = ['binary', 'machine', 'cpu', 'memory', 'smp', 'extraArgs'];
const DISK_KEYS = ['file', 'format', 'interface', 'device'];
const FIRMWARE_KEYS = ['bios', 'kernel', 'pflash'];
const DISK_FORMATS: readonly DiskFormat[] = ['raw', 'qcow2'];
const NETWORKS: readonly QemuNetwork[] = ['none', 'user'];

type Json = Record<string, unknown>;

/** "/qemu/extraArgs/0" → "qemu.extraArgs[0]": how users name a field. */
function fieldName(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((acc, t) => (/^\d+$/.test(t) ? `${acc}[${t}]` : acc ? `${acc}.${t}` : t), '');
}

function typeOf(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(v)}`;
}

/** Collects every problem in one pass, so a user fixes the file once. */
class Checker {
  readonly diagnostics: Diagnostic[] = [];

  constructor(
    private readonly file: string,
    private readonly text: string,
    private readonly offsets: ReadonlyMap<string, number>,
  ) {}

  at(pointer: string): SourceLocation {
    // A missing member is reported at its parent object.
    for (let p = pointer; ; p = p.slice(0, p.lastIndexOf('/'))) {
      const offset = this.offsets.get(p);
      if (offset !== undefined) return offsetToLocation(this.file, this.text, offset);
      if (p === '') return { file: this.file, line: 1, column: 1 };
    }
  }

  fail(pointer: string, message: string, hint?: string): undefined {
    this.diagnostics.push(diag('qemuboot-field', `qemuboot field "${fieldName(pointer)}" ${message}`, this.at(pointer), { hint }));
    return undefined;
  }

  object(v: unknown, pointer: string, known: readonly string[], required: readonly string[]): Json | undefined {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) {
      return pointer === ''
        ? (this.diagnostics.push(diag('qemuboot-field', `qemuboot file must hold a JSON object, got ${typeOf(v)}`, this.at(''))), undefined)
        : this.fail(pointer, `must be an object, got ${typeOf(v)}`);
    }
    const obj = v as Json;
    for (const key of Object.keys(obj)) {
      if (known.includes(key)) continue;
      const guess = closest(key, known);
      this.diagnostics.push(
        diag('qemuboot-unknown-field', `unknown qemuboot field "${fieldName(`${pointer}/${key}`)}"`, this.at(`${pointer}/${key}`), {
          hint: guess ? `did you mean "${guess}"?` : `known fields here: ${known.join(', ')}`,
        }),
      );
    }
    for (const key of required) if (!(key in obj)) this.fail(`${pointer}/${key}`, 'is required');
    return obj;
  }

  string(obj: Json, key: string, pointer: string): string | undefined {
    const v = obj[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || v.trim() === '') return this.fail(`${pointer}/${key}`, `must be a non-empty string, got ${typeOf(v)}`);
    return v;
  }

  count(obj: Json, key: string, pointer: string, unit: string): number | undefined {
    const v = obj[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0)
      return this.fail(`${pointer}/${key}`, `must be a positive whole number of ${unit}, got ${typeOf(v)}`);
    return v;
  }

  oneOf<T extends string>(obj: Json, key: string, pointer: string, choices: readonly T[]): T | undefined {
    const v = obj[key];
    if (v === undefined) return undefined;
    if (!choices.includes(v as T)) return this.fail(`${pointer}/${key}`, `must be one of ${choices.map((c) => `"${c}"`).join(', ')}, got ${typeOf(v)}`);
    return v as T;
  }

  strings(obj: Json, key: string, pointer: string): string[] | undefined {
    const v = obj[key];
    if (v === undefined) return undefined;
    if (!Array.isArray(v)) return this.fail(`${pointer}/${key}`, `must be an array of strings, got ${typeOf(v)}`);
    v.forEach((item, n) => typeof item !== 'string' && this.fail(`${pointer}/${key}/${n}`, `must be a string, got ${typeOf(item)}`));
    return v.filter((item): item is string => typeof item === 'string');
  }
}

/** Validates the text of a qemuboot.json file. Pure: touches no files. */
export function parseQemuBoot(text: string, file: string): Result<QemuBoot, Diagnostic[]> {
  file = resolve(file);
  const scan = scanJson(text);
  if (!scan.ok) {
    return err([diag('qemuboot-syntax', `qemuboot file is not valid JSON: ${scan.message}`, offsetToLocation(file, text, scan.offset))]);
  }
  // The scanner accepted the grammar, so this cannot throw.
  const data: unknown = JSON.parse(text);

  const c = new Checker(file, text, scan.offsets);
  const hasFirmware = typeof data === 'object' && data !== null && 'firmware' in data;
  const top = c.object(data, '', TOP_KEYS, ['machine', 'image', 'qemu', ...(hasFirmware ? [] : ['kernel']), 'prompt']);
  if (!top) return err(c.diagnostics);

  if (top.version !== undefined && top.version !== QEMUBOOT_VERSION) {
    c.fail(
      '/version',
      `is ${typeOf(top.version)}, but this Strata reads version ${QEMUBOOT_VERSION}`,
      'rebuild the image with this Strata to rewrite the file',
    );
  }
  const q = top.qemu === undefined ? undefined : c.object(top.qemu, '/qemu', QEMU_KEYS, ['binary', 'machine']);
  const disks = (top.disks === undefined ? [] : Array.isArray(top.disks) ? top.disks : (c.fail('/disks', `must be an array, got ${typeOf(top.disks)}`), []))
    .map((d, n): QemuDisk | undefined => {
      const pointer = `/disks/${n}`;
      const o = c.object(d, pointer, DISK_KEYS, ['file']);
      const file = o && c.string(o, 'file', pointer);
      const format = o && (c.oneOf(o, 'format', pointer, DISK_FORMATS) ?? 'raw');
      const iface = o && c.string(o, 'interface', pointer);
      const device = o && c.string(o, 'device', pointer);
      return file && format ? { file, format, ...(iface ? { interface: iface } : {}), ...(device ? { device } : {}) } : undefined;
    })
    .filter((d): d is QemuDisk => d !== undefined);

  const prompt = c.string(top, 'prompt', '');
  if (prompt !== undefined) {
    try {
      new RegExp(prompt);
      // "$ " is the classic user prompt, and as a regular expression it can never match.
      if (/(^|[^\\])\$(?!$)/.test(prompt)) {
        c.fail(
          '/prompt',
          `has a "$" before its end, where it means "end of line", so it can never match`,
          'write \\\\$ in the JSON string for a literal dollar sign',
        );
      }
    } catch (e) {
      c.fail('/prompt', `is not a valid regular expression: ${(e as Error).message}`, 'escape characters such as $ ( ) [ with a backslash (\\\\$ in JSON)');
    }
  }

  const boot = {
    file,
    dir: dirname(file),
    machine: c.string(top, 'machine', ''),
    image: c.string(top, 'image', ''),
    qemu: q && {
      binary: c.string(q, 'binary', '/qemu'),
      machine: c.string(q, 'machine', '/qemu'),
      cpu: c.string(q, 'cpu', '/qemu'),
      memory: c.count(q, 'memory', '/qemu', 'MiB') ?? 512,
      smp: c.count(q, 'smp', '/qemu', 'CPUs') ?? 1,
      extraArgs: c.strings(q, 'extraArgs', '/qemu') ?? [],
    },
    kernel: c.string(top, 'kernel', '') ?? '',
    firmware: firmwareOf(c, top),
    initrd: c.string(top, 'initrd', ''),
    dtb: c.string(top, 'dtb', ''),
    disks,
    append: top.append === undefined ? '' : typeof top.append === 'string' ? top.append : c.fail('/append', `must be a string, got ${typeOf(top.append)}`),
    console: c.string(top, 'console', ''),
    network: c.oneOf(top, 'network', '', NETWORKS) ?? 'none',
    prompt,
    poweroff: c.string(top, 'poweroff', '') ?? 'poweroff -f',
  };
  if (c.diagnostics.length > 0) return err(c.diagnostics);
  // Every required field was checked above; no diagnostics means all are present.
  return ok(boot as QemuBoot);
}

function firmwareOf(c: Checker, top: Json): QemuFirmware | undefined {
  if (top.firmware === undefined) return undefined;
  const f = c.object(top.firmware, '/firmware', FIRMWARE_KEYS, []);
  if (!f) return undefined;
  const out = { bios: c.string(f, 'bios', '/firmware'), kernel: c.string(f, 'kernel', '/firmware'), pflash: c.string(f, 'pflash', '/firmware') };
  if (!out.bios && !out.kernel && !out.pflash) c.fail('/firmware', 'must name at least one of "bios", "kernel", "pflash"');
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v)) as QemuFirmware;
}

/** The files a boot needs, with the field each came from, resolved against `boot.dir`. */
export function bootFiles(boot: QemuBoot): { pointer: string; path: string }[] {
  const files = boot.kernel ? [{ pointer: '/kernel', path: boot.kernel }] : [];
  for (const [key, path] of Object.entries(boot.firmware ?? {})) if (path) files.push({ pointer: `/firmware/${key}`, path });
  if (boot.initrd) files.push({ pointer: '/initrd', path: boot.initrd });
  if (boot.dtb) files.push({ pointer: '/dtb', path: boot.dtb });
  boot.disks.forEach((d, n) => files.push({ pointer: `/disks/${n}/file`, path: d.file }));
  return files.map((f) => ({ pointer: f.pointer, path: resolve(boot.dir, f.path) }));
}

/**
 * Reads and validates a qemuboot.json file, and checks that every file it
 * names exists, so a missing kernel is reported before QEMU starts.
 */
export async function readQemuBoot(path: string): Promise<Result<QemuBoot, Diagnostic[]>> {
  const file = resolve(path);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return err([
      diag(
        'qemuboot-read',
        code === 'ENOENT' ? 'qemuboot file does not exist' : `cannot read qemuboot file: ${(e as Error).message}`,
        { file, line: 0, column: 0 },
        {
          hint: code === 'ENOENT' ? 'build the image first (strata build <image>); deploy writes <image>-<machine>.qemuboot.json' : undefined,
        },
      ),
    ]);
  }
  const parsed = parseQemuBoot(text, file);
  if (!parsed.ok) return parsed;

  const missing: Diagnostic[] = [];
  const scan = scanJson(text);
  const c = new Checker(file, text, scan.ok ? scan.offsets : new Map());
  for (const { pointer, path: p } of bootFiles(parsed.value)) {
    const isFile = await stat(p).then(
      (s) => s.isFile(),
      () => false,
    );
    if (!isFile) {
      missing.push(
        diag('qemuboot-missing-file', `qemuboot field "${fieldName(pointer)}" names ${p}, which is not a file`, c.at(pointer), {
          hint: 'paths are relative to the folder of the qemuboot.json file; rebuild the image if the deploy folder is incomplete',
        }),
      );
    }
  }
  return missing.length > 0 ? err(missing) : parsed;
}
