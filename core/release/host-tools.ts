import { spawnSync } from 'node:child_process';
import { realpathSync } from 'node:fs';

// The host tools whose version can change an image's bytes: the cross
// compiler and binutils a recipe calls through ${TARGET_PREFIX} (Strata
// uses the host's Debian cross toolchain as an external toolchain), and
// node and its zlib, which write the images' archives and gzip streams.
// A rebuild on a host where one of these differs may legitimately differ;
// the manifest says which ones the build had.
//
// Each tool's own version line is recorded (`gcc --version` names Debian's
// revision, `ld --version` does not), and so is the Debian package that
// owns each tool's file with its exact version (`dpkg:<package>`), which is
// what a rebuild must install again (gcc-12-aarch64-linux-gnu 12.2.0-14cross1,
// binutils-aarch64-linux-gnu 2.40-2). On a host without dpkg, or for a tool
// no package owns, only the version lines are there.

function firstLine(cmd: string, args: string[]): string | null {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } });
  if (r.error || r.status !== 0) return null;
  return r.stdout.split('\n')[0].trim() || null;
}

/** The file behind a command on PATH (Debian's cross tools are symlinks to versioned names), if any. */
function resolveCommand(cmd: string): string | undefined {
  const r = spawnSync('sh', ['-c', 'command -v "$0"', cmd], { encoding: 'utf8' });
  const path = r.status === 0 ? r.stdout.trim() : '';
  if (!path.startsWith('/')) return undefined;
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

/** `dpkg:<package>` → version for the packages owning `files`: one dpkg -S, one dpkg-query. */
function debianPackages(files: readonly string[]): Record<string, string> {
  if (!files.length) return {};
  const owners = spawnSync('dpkg', ['-S', ...files], { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } });
  if (owners.error) return {};
  // "gcc-12-aarch64-linux-gnu: /usr/bin/aarch64-linux-gnu-gcc-12"; a diversion line starts with "diversion by".
  const pkgs = [
    ...new Set(
      owners.stdout
        .split('\n')
        .filter((l) => !l.startsWith('diversion'))
        .flatMap((l) => /^([^:\s]+(?::[a-z0-9]+)?(?:, [^:\s]+)*): \//.exec(l)?.[1].split(', ') ?? []),
    ),
  ].sort();
  if (!pkgs.length) return {};
  const q = spawnSync('dpkg-query', ['-W', '-f', '${Package} ${Version}\\n', ...pkgs], { encoding: 'utf8' });
  const out: Record<string, string> = {};
  for (const line of q.stdout?.split('\n') ?? []) {
    const [name, version] = line.split(' ');
    if (name && version) out[`dpkg:${name}`] = version;
  }
  return out;
}

const memo = new Map<string, Record<string, string | null>>();

export function hostToolVersions(targetPrefix: string): Record<string, string | null> {
  const known = memo.get(targetPrefix);
  if (known) return known;
  const [gcc, ld, as] = ['gcc', 'ld', 'as'].map((t) => `${targetPrefix}${t}`);
  const versions: Record<string, string | null> = {
    [gcc]: firstLine(gcc, ['--version']),
    [ld]: firstLine(ld, ['--version']),
    [as]: firstLine(as, ['--version']),
    node: process.versions.node,
    zlib: process.versions.zlib ?? null,
    ...debianPackages([gcc, ld, as].flatMap((t) => resolveCommand(t) ?? [])),
  };
  memo.set(targetPrefix, versions);
  return versions;
}
