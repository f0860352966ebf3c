import { realpath } from 'node:fs/promises';
import { runProcess } from '../exec/launch.js';
import { succeeded } from '../exec/process-exit.js';

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

async function firstLine(cmd: string, args: string[]): Promise<string | null> {
  const r = await runProcess(cmd, args, { env: { ...process.env, LC_ALL: 'C' } });
  if (!succeeded(r.exit)) return null;
  return r.stdout.toString().split('\n')[0].trim() || null;
}

/** The file behind a command on PATH (Debian's cross tools are symlinks to versioned names), if any. */
async function resolveCommand(cmd: string): Promise<string | undefined> {
  const r = await runProcess('sh', ['-c', 'command -v "$0"', cmd]);
  const path = succeeded(r.exit) ? r.stdout.toString().trim() : '';
  if (!path.startsWith('/')) return undefined;
  try {
    return await realpath(path);
  } catch {
    return undefined;
  }
}

/** `dpkg:<package>` → version for the packages owning `files`: one dpkg -S, one dpkg-query. */
async function debianPackages(files: readonly string[]): Promise<Record<string, string>> {
  if (!files.length) return {};
  const owners = await runProcess('dpkg', ['-S', ...files], { env: { ...process.env, LC_ALL: 'C' } });
  if (owners.exit.kind === 'not-found' || owners.exit.kind === 'cannot-start') return {};
  // "gcc-12-aarch64-linux-gnu: /usr/bin/aarch64-linux-gnu-gcc-12"; a diversion line starts with "diversion by".
  const pkgs = [
    ...new Set(
      owners.stdout
        .toString()
        .split('\n')
        .filter((l) => !l.startsWith('diversion'))
        .flatMap((l) => /^([^:\s]+(?::[a-z0-9]+)?(?:, [^:\s]+)*): \//.exec(l)?.[1].split(', ') ?? []),
    ),
  ].sort();
  if (!pkgs.length) return {};
  const q = await runProcess('dpkg-query', ['-W', '-f', '${Package} ${Version}\\n', ...pkgs]);
  const out: Record<string, string> = {};
  for (const line of q.stdout.toString().split('\n')) {
    const [name, version] = line.split(' ');
    if (name && version) out[`dpkg:${name}`] = version;
  }
  return out;
}

const memo = new Map<string, Promise<Record<string, string | null>>>();

export function hostToolVersions(targetPrefix: string): Promise<Record<string, string | null>> {
  let known = memo.get(targetPrefix);
  if (!known) memo.set(targetPrefix, (known = readVersions(targetPrefix)));
  return known;
}

async function readVersions(targetPrefix: string): Promise<Record<string, string | null>> {
  const [gcc, ld, as] = ['gcc', 'ld', 'as'].map((t) => `${targetPrefix}${t}`);
  const resolved = await Promise.all([gcc, ld, as].map(resolveCommand));
  const versions: Record<string, string | null> = {
    [gcc]: await firstLine(gcc, ['--version']),
    [ld]: await firstLine(ld, ['--version']),
    [as]: await firstLine(as, ['--version']),
    node: process.versions.node,
    zlib: process.versions.zlib ?? null,
    ...(await debianPackages(resolved.flatMap((f) => f ?? []))),
  };
  return versions;
}
