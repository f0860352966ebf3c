import { accessSync, constants } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import { diag, type Diagnostic } from '../diagnostics/diagnostic.js';
import { err, ok, type Result } from '../model/result.js';
import type { QemuBoot } from './qemuboot.js';

// Finding the QEMU binary before spawning it: node-pty would otherwise start
// a child that fails in exec, and the user would see an exit code instead of
// "install this package".

/** `name` as an absolute path: itself if it has a slash, else the first executable match on PATH. */
export function findExecutable(name: string, path = process.env.PATH ?? ''): string | undefined {
  const candidates = name.includes('/')
    ? [name]
    : path
        .split(delimiter)
        .filter(Boolean)
        .map((d) => join(d, name));
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      return isAbsolute(c) ? c : join(process.cwd(), c);
    } catch {
      // Not here; try the next folder.
    }
  }
  return undefined;
}

/** Debian package that ships a qemu-system-* binary. */
function debianPackage(binary: string): string {
  if (/aarch64|arm/.test(binary)) return 'qemu-system-arm';
  if (/x86_64|i386/.test(binary)) return 'qemu-system-x86';
  if (/ppc/.test(binary)) return 'qemu-system-ppc';
  return 'qemu-system-misc';
}

export function resolveQemuBinary(boot: QemuBoot): Result<string, Diagnostic> {
  const found = findExecutable(boot.qemu.binary);
  if (found) return ok(found);
  return err(
    diag(
      'qemu-missing',
      `QEMU binary "${boot.qemu.binary}" (qemuboot field "qemu.binary") was not found on PATH`,
      { file: boot.file, line: 0, column: 0 },
      {
        hint: `install it (Debian: apt-get install ${debianPackage(boot.qemu.binary)})`,
      },
    ),
  );
}
