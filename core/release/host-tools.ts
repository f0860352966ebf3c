import { spawnSync } from 'node:child_process';

// The host tools whose version can change an image's bytes: the cross
// compiler and binutils a recipe calls through ${TARGET_PREFIX} (Strata
// uses the host's Debian cross toolchain as an external toolchain), and
// node and its zlib, which write the images' archives and gzip streams.
// A rebuild on a host where one of these differs may legitimately differ;
// the manifest says which ones the build had.

function firstLine(cmd: string, args: string[]): string | null {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } });
  if (r.error || r.status !== 0) return null;
  return r.stdout.split('\n')[0].trim() || null;
}

export function hostToolVersions(targetPrefix: string): Record<string, string | null> {
  return {
    [`${targetPrefix}gcc`]: firstLine(`${targetPrefix}gcc`, ['-dumpfullversion']),
    [`${targetPrefix}ld`]: firstLine(`${targetPrefix}ld`, ['--version']),
    [`${targetPrefix}as`]: firstLine(`${targetPrefix}as`, ['--version']),
    node: process.versions.node,
    zlib: process.versions.zlib ?? null,
  };
}
