import { readFile, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { diag, type Diagnostic } from '../diagnostics/diagnostic.js';
import { QEMU_DEFAULTS, QEMU_SHAPE, type QemuFirmware, type QemuSystem } from '../config/machine.js';
import { locatePointer, parseJsonText, plainValue } from '../metadata/json.js';
import { anything, formatVersion, list, map, num, str, validate } from '../metadata/schema.js';
import { err, ok, type Result } from '../model/result.js';

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
//     },                                   "append" are not used, and "kernel" is optional
//     "append": "console=ttyAMA0 rdinit=/sbin/init",           kernel command line
//     "console": "ttyAMA0",                added to append as console=… when append has none
//     "network": "none",                   "none" (default) or "user" (QEMU's slirp)
//     "prompt": "~ # ",                    regular expression (JavaScript syntax) that
//                                          matches the end of the shell prompt
//     "poweroff": "poweroff -f",           how testimage asks the guest to stop
//     "bootTimeout": 900                   seconds testimage waits for the first prompt,
//                                          optional (testimage's default, 120); from the
//                                          machine's `qemu: boot-timeout:`
//   }
//
// File paths are relative to the folder of the JSON file, so a deploy folder
// can be moved or copied to another machine and still boot.
//
// A new field is added in three places here: QemuBootRecord, the QEMUBOOT
// shape (its type, checked with every other problem) and, when it is
// optional, its default in parseQemuBoot; qemuBootFor (qemuboot-write.ts) fills it from the
// machine, and formatQemuBoot writes it as it is. Add a row for it to
// tests/qemu/qemuboot-write.test.ts, which round-trips every record.

export type { QemuFirmware, QemuSystem } from '../config/machine.js';
export type DiskFormat = 'raw' | 'qcow2';
export type QemuNetwork = 'none' | 'user';

export interface QemuDisk {
  readonly file: string;
  readonly format: DiskFormat;
  /** -drive if=…; default virtio. */
  readonly interface?: string;
  /** A -device for the drive instead of if= (e.g. virtio-blk-device on boards without PCI). */
  readonly device?: string;
}

/** What a qemuboot.json file holds, with defaults filled in: what deploy writes and runqemu reads. */
export interface QemuBootRecord {
  readonly machine: string;
  readonly image: string;
  readonly qemu: QemuSystem;
  /** Required unless `firmware` is given. */
  readonly kernel?: string;
  readonly firmware?: QemuFirmware;
  readonly initrd?: string;
  readonly dtb?: string;
  readonly disks: readonly QemuDisk[];
  readonly append: string;
  readonly console?: string;
  readonly network: QemuNetwork;
  readonly prompt: string;
  readonly poweroff: string;
  /** Seconds testimage waits for the first prompt; absent: testimage's default. */
  readonly bootTimeout?: number;
}

/** A validated qemuboot.json. Paths are as written (see `dir`). */
export interface QemuBoot extends QemuBootRecord {
  /** The JSON file this came from (absolute), for messages. */
  readonly file: string;
  /** Folder that relative paths are resolved against: the JSON file's folder. */
  readonly dir: string;
}

/** A testimage prompt that matches a root shell's `# ` at the end of the console text. */
export const DEFAULT_PROMPT = '# $';
export const DEFAULT_POWEROFF = 'poweroff -f';

export const QEMUBOOT_VERSION = 1;
const DISK_FORMATS: readonly DiskFormat[] = ['raw', 'qcow2'];
const NETWORKS: readonly QemuNetwork[] = ['none', 'user'];

/** The schema of the file (core/metadata/schema.ts); `qemu` is a machine file's `qemu:`, the same shape. */
const QEMUBOOT = map(
  {
    version: anything, // checked first, by formatVersion
    machine: str({ nonEmpty: true }),
    image: str({ nonEmpty: true }),
    qemu: QEMU_SHAPE,
    kernel: str({ nonEmpty: true }),
    initrd: str({ nonEmpty: true }),
    dtb: str({ nonEmpty: true }),
    firmware: map({ bios: str({ nonEmpty: true }), kernel: str({ nonEmpty: true }), pflash: str({ nonEmpty: true }) }),
    disks: list(
      map(
        { file: str({ nonEmpty: true }), format: str({ oneOf: DISK_FORMATS }), interface: str({ nonEmpty: true }), device: str({ nonEmpty: true }) },
        { required: ['file'] },
      ),
    ),
    append: str(),
    console: str({ nonEmpty: true }),
    network: str({ oneOf: NETWORKS }),
    prompt: str({ nonEmpty: true }),
    poweroff: str({ nonEmpty: true }),
    bootTimeout: num({ whole: true, min: 1 }),
  },
  // `kernel` is required unless `firmware` is given: checked in parseQemuBoot.
  { required: ['machine', 'image', 'qemu', 'prompt'] },
);

/** What a testimage prompt cannot be, though it is a valid regular expression; undefined when it is fine. */
function promptProblem(prompt: string): { message: string; hint: string } | undefined {
  try {
    new RegExp(prompt);
  } catch (e) {
    return {
      message: `is not a valid regular expression: ${(e as Error).message}`,
      hint: 'escape characters such as $ ( ) [ with a backslash (\\\\$ in JSON)',
    };
  }
  // "$ " is the classic user prompt, and as a regular expression it can never match.
  if (/(^|[^\\])\$(?!$)/.test(prompt)) {
    return {
      message: 'has a "$" before its end, where it means "end of line", so it can never match',
      hint: 'write \\\\$ in the JSON string for a literal dollar sign',
    };
  }
  return undefined;
}

/** The file as JSON.parse gives it, once validated: what may be left out is optional. */
type QemuBootJson = Omit<QemuBootRecord, 'qemu' | 'disks' | 'append' | 'network' | 'poweroff'> & {
  qemu: Pick<QemuSystem, 'binary' | 'machine' | 'cpu'> & Partial<Pick<QemuSystem, 'memory' | 'smp' | 'extraArgs'>>;
  disks?: (Omit<QemuDisk, 'format'> & { format?: DiskFormat })[];
  append?: string;
  network?: QemuNetwork;
  poweroff?: string;
};

/** Validates the text of a qemuboot.json file, reporting every problem at once. Pure: touches no files. */
export function parseQemuBoot(text: string, file: string): Result<QemuBoot, Diagnostic[]> {
  file = resolve(file);
  const parsed = parseJsonText(file, text);
  if (!parsed.ok) return parsed;
  const tree = parsed.value;
  const version = formatVersion(tree, {
    key: 'version',
    known: QEMUBOOT_VERSION,
    file: 'this qemuboot file',
    hint: 'rebuild the image with this Strata to rewrite the file',
  });
  if (version) return err([version]);
  const problems = validate(tree, QEMUBOOT, 'qemuboot');
  const prompt = locatePointer(tree, '/prompt').node;
  const bad = prompt && prompt.kind === 'scalar' && typeof prompt.value === 'string' ? promptProblem(prompt.value) : undefined;
  if (bad) problems.push(diag('schema-value', `qemuboot prompt ${bad.message}`, prompt!.loc, { hint: bad.hint }));
  if (!locatePointer(tree, '/kernel').node && !locatePointer(tree, '/firmware').node) {
    problems.push(
      diag('schema-missing-key', "qemuboot: missing required key 'kernel'", tree.loc, {
        hint: 'name the kernel to boot, or the "firmware" that boots from the disks',
      }),
    );
  }
  const firmware = locatePointer(tree, '/firmware').node;
  if (firmware?.kind === 'map' && firmware.entries.length === 0) {
    problems.push(diag('schema-value', 'qemuboot firmware must name at least one of "bios", "kernel", "pflash"', firmware.loc));
  }
  if (problems.length > 0) return err(problems);

  // Valid: every field has its type, and the required ones are there.
  const j = plainValue(tree) as QemuBootJson;
  const q = j.qemu;
  return ok({
    file,
    dir: dirname(file),
    machine: j.machine,
    image: j.image,
    qemu: {
      binary: q.binary,
      machine: q.machine,
      cpu: q.cpu,
      memory: q.memory ?? QEMU_DEFAULTS.memory,
      smp: q.smp ?? QEMU_DEFAULTS.smp,
      extraArgs: q.extraArgs ?? QEMU_DEFAULTS.extraArgs,
    },
    kernel: j.kernel,
    firmware: j.firmware,
    initrd: j.initrd,
    dtb: j.dtb,
    disks: (j.disks ?? []).map((d) => ({ ...d, format: d.format ?? 'raw' })),
    append: j.append ?? '',
    console: j.console,
    network: j.network ?? 'none',
    prompt: j.prompt,
    poweroff: j.poweroff ?? DEFAULT_POWEROFF,
    bootTimeout: j.bootTimeout,
  });
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
  const tree = parseJsonText(file, text);
  for (const { pointer, path: p } of bootFiles(parsed.value)) {
    const isFile = await stat(p).then(
      (s) => s.isFile(),
      () => false,
    );
    if (!isFile) {
      const field = pointer
        .slice(1)
        .replace(/\/(\d+)/g, '[$1]')
        .replace(/\//g, '.');
      missing.push(
        diag(
          'qemuboot-missing-file',
          `qemuboot field "${field}" names ${p}, which is not a file`,
          tree.ok ? locatePointer(tree.value, pointer).loc : { file, line: 0, column: 0 },
          {
            hint: 'paths are relative to the folder of the qemuboot.json file; rebuild the image if the deploy folder is incomplete',
          },
        ),
      );
    }
  }
  return missing.length > 0 ? err(missing) : parsed;
}
