import { runProcess } from '../exec/launch.js';
import { succeeded } from '../exec/process-exit.js';

// The host tools whose version can change an image's bytes: the cross
// compiler and binutils a recipe calls through ${TARGET_PREFIX} (Strata
// uses the host's Debian cross toolchain as an external toolchain), and
// node and its zlib, which write the images' archives and gzip streams.
// A rebuild on a host where one of these differs may legitimately differ;
// the manifest says which ones the build had.

async function firstLine(cmd: string, args: string[]): Promise<string | null> {
  const r = await runProcess(cmd, args, { env: { ...process.env, LC_ALL: 'C' } });
  if (!succeeded(r.exit)) return null;
  return r.stdout.toString().split('\n')[0].trim() || null;
}

export async function hostToolVersions(targetPrefix: string): Promise<Record<string, string | null>> {
  return {
    [`${targetPrefix}gcc`]: await firstLine(`${targetPrefix}gcc`, ['-dumpfullversion']),
    [`${targetPrefix}ld`]: await firstLine(`${targetPrefix}ld`, ['--version']),
    [`${targetPrefix}as`]: await firstLine(`${targetPrefix}as`, ['--version']),
    node: process.versions.node,
    zlib: process.versions.zlib ?? null,
  };
}
