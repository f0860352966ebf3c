import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readQemuBoot, type QemuBoot } from '../../../core/qemu/qemuboot.js';

// A real arm64 guest for the QEMU tests, made from nothing but the host's
// tools: a static /init cross-compiled from fixtures/mini-init.c, packed as
// a newc cpio, booted with an arm64 kernel. The kernel is the one input the
// test cannot make; where it comes from is spelled out in KERNEL_HELP.

export const KERNEL_HELP =
  'The QEMU boot tests need an arm64 Linux kernel Image. Set STRATA_TEST_KERNEL to its path ' +
  '(e.g. boot/vmlinuz-*-arm64 from a Debian linux-image-*-arm64 .deb, extracted with `dpkg-deb -x`), ' +
  'or put such a linux-image-*-arm64*.deb (or the Image itself, named vmlinuz-*arm64* or Image*) in the ' +
  "project's downloads/ or mirror/ folder.";

/** The repository root: the folder holding this project's package.json, found from this file (src or dist). */
export function projectRoot(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && /"strata-image-composer"/.test(readFileSync(pkg, 'utf8'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no Strata package.json above ${fileURLToPath(import.meta.url)}`);
  }
}

function filesUnder(dir: string, depth: number): string[] {
  if (depth < 0 || !existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? filesUnder(p, depth - 1) : e.isFile() ? [p] : [];
  });
}

/**
 * The Image from a linux-image .deb, extracted once into the temp folder.
 * Extraction goes to a private folder renamed into place, so test files
 * running at the same time never see a half-written kernel.
 */
function kernelFromDeb(deb: string): string | undefined {
  const out = join(tmpdir(), `strata-test-kernel-${basename(deb, '.deb')}`);
  const find = (): string | undefined => filesUnder(join(out, 'boot'), 0).find((f) => /\/vmlinu[xz]-/.test(f));
  if (!existsSync(out)) {
    const work = mkdtempSync(`${out}.partial-`);
    const r = spawnSync('dpkg-deb', ['-x', deb, work], { encoding: 'utf8' });
    if (r.status !== 0) {
      rmSync(work, { recursive: true, force: true });
      throw new Error(`dpkg-deb -x ${deb} failed: ${r.error?.message ?? r.stderr}`);
    }
    try {
      renameSync(work, out);
    } catch {
      rmSync(work, { recursive: true, force: true }); // another process got there first
    }
  }
  return find();
}

export type Found<T> = { ok: true; value: T } | { ok: false; error: string };

/** An arm64 kernel for the boot tests, or why there is none. */
export function findTestKernel(): Found<string> {
  const fromEnv = process.env.STRATA_TEST_KERNEL;
  if (fromEnv) {
    return existsSync(fromEnv) && statSync(fromEnv).isFile()
      ? { ok: true, value: fromEnv }
      : { ok: false, error: `STRATA_TEST_KERNEL=${fromEnv} is not a file. ${KERNEL_HELP}` };
  }
  const root = projectRoot();
  const candidates = ['downloads', 'mirror'].flatMap((d) => filesUnder(join(root, d), 3));
  const image = candidates.find((f) => /^(vmlinuz-.*arm64.*|Image.*)$/.test(basename(f)));
  if (image) return { ok: true, value: image };
  // A mirror files the kernel package under sha256/<hex>: recognise it by its ar header.
  const isDeb = (f: string) =>
    /^linux-image-.*arm64.*\.deb$/.test(basename(f)) ||
    (/^[0-9a-f]{64}$/.test(basename(f)) && readFileSync(f).subarray(0, 21).toString('latin1') === '!<arch>\ndebian-binary');
  const deb = candidates.find(isDeb);
  const fromDeb = deb && kernelFromDeb(deb);
  if (fromDeb) return { ok: true, value: fromDeb };
  return { ok: false, error: `no arm64 kernel found (STRATA_TEST_KERNEL is unset; nothing in ${root}/downloads or ${root}/mirror). ${KERNEL_HELP}` };
}

function need(tool: string, pkg: string): void {
  if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) {
    throw new Error(`${tool} is not installed; the QEMU boot tests need it (Debian: apt-get install ${pkg})`);
  }
}

/** Checks the host tools a boot test uses, so a missing one fails with its package name. */
export function requireGuestTools(): void {
  need('aarch64-linux-gnu-gcc', 'gcc-aarch64-linux-gnu libc6-dev-arm64-cross');
  need('cpio', 'cpio');
  need('gzip', 'gzip');
  need('qemu-system-aarch64', 'qemu-system-arm');
}

/**
 * Builds `initrd.cpio.gz` in `dir`: /init from fixtures/mini-init.c, and the
 * empty /dev and /proc that it mounts over. Members are sorted and owned by
 * root so the archive does not depend on who runs the test.
 */
export function buildInitramfs(dir: string): string {
  const root = join(dir, 'rootfs');
  for (const d of ['dev', 'proc']) mkdirSync(join(root, d), { recursive: true });
  execFileSync('aarch64-linux-gnu-gcc', ['-static', '-Os', '-s', '-Wall', '-o', join(root, 'init'), join(projectRoot(), 'tests/qemu/fixtures/mini-init.c')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const initrd = join(dir, 'initrd.cpio.gz');
  execFileSync('sh', ['-c', 'cd "$1" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet | gzip -9n > "$2"', 'sh', root, initrd], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return initrd;
}

export interface Guest {
  readonly dir: string;
  readonly qemubootFile: string;
  readonly boot: QemuBoot;
  cleanup(): void;
}

/**
 * A deploy-like folder: kernel (linked), initramfs and a qemuboot.json that
 * names both by relative path, read back through readQemuBoot as runqemu and
 * testimage would.
 */
export async function makeGuest(kernel: string, overrides: Record<string, unknown> = {}): Promise<Guest> {
  requireGuestTools();
  const dir = mkdtempSync(join(tmpdir(), 'strata-qemu-test-'));
  buildInitramfs(dir);
  symlinkSync(kernel, join(dir, 'Image'));
  const qemubootFile = join(dir, 'mini-qemuarm64.qemuboot.json');
  const spec = {
    version: 1,
    machine: 'qemuarm64',
    image: 'mini',
    qemu: { binary: 'qemu-system-aarch64', machine: 'virt', cpu: 'cortex-a53', memory: 1024, smp: 1, extraArgs: [] },
    kernel: 'Image',
    initrd: 'initrd.cpio.gz',
    // quiet: kernel messages would interleave with command output on the one console.
    append: 'rdinit=/init quiet',
    console: 'ttyAMA0',
    prompt: '~ # ',
    poweroff: 'poweroff -f',
    ...overrides,
  };
  writeFileSync(qemubootFile, JSON.stringify(spec, null, 2) + '\n');
  const read = await readQemuBoot(qemubootFile);
  if (!read.ok) throw new Error(`test qemuboot.json rejected: ${read.error.map((d) => d.message).join('; ')}`);
  return { dir, qemubootFile, boot: read.value, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Whether a process is still there (signal 0 only checks). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
