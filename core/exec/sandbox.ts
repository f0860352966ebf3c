import { existsSync, lstatSync, readFileSync, readlinkSync } from 'node:fs';

// Every shell task runs inside a bubblewrap sandbox (docs/security.md):
//
// - an unprivileged uid on the host: when Strata runs as root, the task
//   drops to a subordinate uid with setpriv, so even a task that escaped its
//   mounts could only touch what that uid owns; inside its user namespace
//   the task is uid 0, which builds need for `install -o root`;
// - its own mount, PID, IPC, UTS, cgroup and network namespaces: the host's
//   system folders read-only, the recipe's work folder the only writable
//   host folder, its sysroot and sources read-only, a private /tmp, no other
//   recipe's work folder, no host process, no host Unix socket (abstract
//   sockets belong to the network namespace), no network;
// - bwrap is PID 1 of the namespace and dies with its parent, so a daemon a
//   task started with setsid dies with the task.
//
// The sandbox is entered by the task script itself (`run.<task>` re-executes
// itself inside bwrap), so the build and a user re-running the file by hand
// get the same sandbox from one mechanism.

export interface SandboxSpec {
  /** Host folders the task may write (the recipe's work folder). */
  readonly writable: readonly string[];
  /** Host paths made visible read-only on top (sysroot inside the work folder, sources). */
  readonly readOnly: readonly string[];
  /** The host uid the task runs as when Strata runs as root. */
  readonly uid: number;
  /** The host name inside the task's UTS namespace; `localhost` when unset (`strata reproduce` varies it). */
  readonly hostname?: string;
}

/** Set inside the sandbox, so the script knows not to enter it again. */
export const SANDBOX_MARK = 'STRATA_SANDBOX';

/** The uid tasks run as when Strata is root: the first subordinate uid of root in /etc/subuid, else 100000. */
export function sandboxUid(subuidFile = '/etc/subuid'): number {
  try {
    for (const line of readFileSync(subuidFile, 'utf8').split('\n')) {
      const [name, start] = line.trim().split(':');
      if ((name === 'root' || name === '0') && /^\d+$/.test(start ?? '')) return Number(start);
    }
  } catch {
    /* no subuid file: the default */
  }
  return 100000;
}

const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** The host's top-level system folders, read-only; on merged-/usr hosts /bin, /lib… are symlinks into /usr. */
function systemMounts(): string[] {
  const args = ['--ro-bind', '/usr', '/usr'];
  for (const top of ['/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32']) {
    if (!existsSync(top)) continue;
    if (lstatSync(top).isSymbolicLink()) args.push('--symlink', readlinkSync(top), top);
    else args.push('--ro-bind', top, top);
  }
  // /etc for ld.so.cache, alternatives, passwd lookups; files only root may
  // read on the host stay unreadable, since the task is not root there.
  args.push('--ro-bind', '/etc', '/etc');
  return args;
}

/**
 * bwrap's arguments, up to and excluding the command. Paths keep their host
 * names so scripts and logs read the same inside.
 *
 * As root, bwrap makes the namespaces and mounts with root's access to the
 * host folders (a project under /root, or in a 0700 temp folder, is not
 * reachable by the sandbox uid), and the command then drops to the sandbox
 * uid and maps it to root in a user namespace of its own (`taskCommand`). As
 * an ordinary user, bwrap makes the user namespace itself.
 */
export function bwrapArgs(spec: SandboxSpec, asRoot: boolean): string[] {
  const namespaces = asRoot
    ? ['--unshare-ipc', '--unshare-pid', '--unshare-net', '--unshare-uts', '--unshare-cgroup-try']
    : ['--unshare-all', '--unshare-user', '--disable-userns', '--uid', '0', '--gid', '0'];
  const readOnly = spec.readOnly.filter((p) => existsSync(p));
  return [
    ...namespaces,
    '--die-with-parent',
    '--new-session',
    '--hostname',
    spec.hostname ?? 'localhost',
    '--clearenv',
    '--setenv',
    SANDBOX_MARK,
    '1',
    '--setenv',
    'PATH',
    '/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin',
    ...systemMounts(),
    '--proc',
    '/proc',
    '--dev',
    '/dev',
    // Sticky and world-writable like the host's: as root, the task's uid is not the tmpfs owner.
    ...['/dev/shm', '/tmp', '/var/tmp'].flatMap((p) => ['--perms', '1777', '--tmpfs', p]),
    ...reachable([...spec.writable, ...readOnly]).flatMap((p) => ['--perms', '0755', '--dir', p]),
    ...spec.writable.flatMap((p) => ['--bind', p, p]),
    ...readOnly.flatMap((p) => ['--ro-bind', p, p]),
    '--chdir',
    spec.writable[0] ?? '/',
  ];
}

/** Mounted by bwrap before the task's own folders: their ancestors must not be created under them. */
const PREMOUNTED = ['/usr', '/etc', '/proc', '/dev', '/tmp', '/var/tmp', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32'];

/**
 * The folders above the bound paths, made in the sandbox's own tmpfs with
 * mode 0755: bwrap would otherwise copy the host folders' modes, and a
 * project in a 0700 folder (/root, mktemp -d) would be unreachable for the
 * sandbox uid. These are the sandbox's folders; the host's keep their modes.
 */
function reachable(paths: readonly string[]): string[] {
  const under = (p: string, roots: readonly string[]) => roots.some((r) => p === r || p.startsWith(r + '/'));
  const dirs = new Set<string>();
  for (const p of paths) {
    const parts = p.split('/').filter(Boolean);
    for (let i = 1; i < parts.length; i++) {
      const dir = '/' + parts.slice(0, i).join('/');
      if (!under(dir, paths) && !PREMOUNTED.includes(dir) && !PREMOUNTED.some((m) => under(dir, [m]) && m !== '/tmp' && m !== '/var/tmp')) dirs.add(dir);
    }
  }
  return [...dirs].sort((a, b) => a.split('/').length - b.split('/').length || a.localeCompare(b));
}

/** What bwrap runs: as root, first drop every privilege on the host, then become root of a user namespace. */
export function taskCommand(spec: SandboxSpec, asRoot: boolean, argv: readonly string[]): string[] {
  if (!asRoot) return [...argv];
  const u = String(spec.uid);
  return [
    'setpriv',
    `--reuid=${u}`,
    `--regid=${u}`,
    '--clear-groups',
    '--inh-caps=-all',
    '--bounding-set=-all',
    'unshare',
    '--user',
    '--map-root-user',
    '--',
    ...argv,
  ];
}

/**
 * The whole command line that runs `argv` in the sandbox: what a task
 * script re-executes itself with, and what Strata runs directly for one
 * tool that must be confined the same way (unpack's tar extracting into its
 * staging folder before the archive is checked, core/build/unpack-staging.ts).
 */
export function sandboxCommand(spec: SandboxSpec, asRoot: boolean, argv: readonly string[]): string[] {
  return ['bwrap', ...bwrapArgs(spec, asRoot), '--', ...taskCommand(spec, asRoot, argv)];
}

/**
 * The first lines of a task script: outside the sandbox, re-execute this
 * very file inside it.
 */
export function sandboxEntry(spec: SandboxSpec, scriptPath: string): string {
  const line = (asRoot: boolean) => sandboxCommand(spec, asRoot, ['/bin/sh', scriptPath]).map(quote).join(' ');
  return [
    `if [ "\${${SANDBOX_MARK}:-}" != 1 ]; then`,
    `  command -v bwrap >/dev/null || { echo "strata: bwrap not found: install Debian's bubblewrap (npm run setup does)" >&2; exit 127; }`,
    `  if [ "$(id -u)" = 0 ]; then exec ${line(true)}; fi`,
    `  exec ${line(false)}`,
    'fi',
  ].join('\n');
}

/**
 * Messages tools print when they reach for a network they do not have (the
 * sandbox's loopback is up but empty, so a host service is "refused").
 */
const NO_NETWORK_SIGNS = [
  /ENETUNREACH/,
  /Couldn't connect to server/i,
  /Network is unreachable/i,
  /Temporary failure in name resolution/i,
  /Could not resolve host/i,
  /Name or service not known/i,
  /Cannot assign requested address/i,
  /Connection refused/i,
  /ECONNREFUSED/,
];

export function looksLikeNetworkFailure(log: string): boolean {
  return NO_NETWORK_SIGNS.some((re) => re.test(log));
}

/**
 * Paths a failed task tried to write where the sandbox does not let it, read
 * from the tools' own messages: "cannot touch '/usr/x': Read-only file
 * system" anywhere, "Permission denied" outside the writable folders.
 */
export function pathsWrittenOutside(log: string, writable: readonly string[]): string[] {
  const found = new Set<string>();
  const inside = (p: string) => writable.some((w) => p === w || p.startsWith(w + '/'));
  for (const line of log.split('\n')) {
    const readOnly = line.includes('Read-only file system');
    if (!readOnly && !line.includes('Permission denied')) continue;
    for (const m of line.matchAll(/(\/[^'’"`:\s]+)/g)) if (readOnly || !inside(m[1])) found.add(m[1]);
  }
  return [...found];
}
