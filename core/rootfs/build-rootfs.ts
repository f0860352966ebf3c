import { posix } from 'node:path';
import { diag, type Diagnostic, type SourceLocation } from '../diagnostics/diagnostic.js';
import type { PackageData } from '../package/pkgdata.js';
import { mergeGroups, mergeUsers, parseAccounts, type DeclaredGroup, type DeclaredUser } from './accounts.js';
import type { RootfsDeclarations } from '../metadata/declarations.js';
import { sortEntries, type ManifestEntry } from './manifest.js';

// Installs packages into a manifest: each package's files with the owners
// and modes its .ipk holds, the device nodes, users and groups packages and
// the image declare, and the few nodes every Linux root needs before
// devtmpfs is mounted (the kernel opens /dev/console before it runs init).
// Folders nothing declares (parents of a device node, say) are 0755
// root:root. Nothing here looks at the host.

const root = { uid: 0, gid: 0, owner: 'root', group: 'root' };
const SKELETON: ManifestEntry[] = [
  { path: '/', type: 'dir', mode: 0o755, ...root },
  { path: '/dev', type: 'dir', mode: 0o755, ...root },
  { path: '/dev/console', type: 'chardev', mode: 0o600, ...root, major: 5, minor: 1 },
  { path: '/dev/null', type: 'chardev', mode: 0o666, ...root, major: 1, minor: 3 },
  { path: '/proc', type: 'dir', mode: 0o555, ...root },
  { path: '/sys', type: 'dir', mode: 0o555, ...root },
  { path: '/tmp', type: 'dir', mode: 0o1777, ...root },
  { path: '/root', type: 'dir', mode: 0o700, ...root },
  { path: '/run', type: 'dir', mode: 0o755, ...root },
];

/** A member of a package's data archive, its content already stored by sha256. */
export interface PackageMember {
  readonly path: string;
  readonly type: 'dir' | 'file' | 'symlink' | 'chardev' | 'blockdev';
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly owner: string;
  readonly group: string;
  readonly target?: string;
  readonly sha256?: string;
  readonly size?: number;
}

export interface RootfsInput {
  readonly packages: readonly { readonly data: PackageData; readonly members: readonly PackageMember[] }[];
  readonly image: RootfsDeclarations;
  readonly imageName: string;
  /** Where a package is declared (its recipe's `packages:` entry), for conflict messages. */
  readonly packageLoc: (pkg: string) => SourceLocation | undefined;
  /** A stored file's content as text (for /etc/passwd and /etc/group). */
  readonly readText: (sha256: string) => string;
  /** Stores text as a file's content; returns its sha256. */
  readonly storeText: (text: string) => string;
}

export type RootfsResult = { ok: true; entries: ManifestEntry[] } | { ok: false; diagnostics: Diagnostic[] };

const sameNode = (a: ManifestEntry, b: ManifestEntry) =>
  a.type === b.type &&
  a.mode === b.mode &&
  a.uid === b.uid &&
  a.gid === b.gid &&
  a.target === b.target &&
  a.sha256 === b.sha256 &&
  a.major === b.major &&
  a.minor === b.minor;

export function buildRootfs(input: RootfsInput): RootfsResult {
  const problems: Diagnostic[] = [];
  const byPath = new Map<string, ManifestEntry>(SKELETON.map((e) => [e.path, e]));
  const skeleton = new Set(SKELETON.map((e) => e.path));
  const imagePerms = new Map(input.image.permissions.map((p) => [p.path, p]));
  const who = (e: ManifestEntry) => (e.pkg ? `package ${e.pkg}` : 'the rootfs itself');
  const add = (e: ManifestEntry, loc?: SourceLocation) => {
    const before = byPath.get(e.path);
    if (!before) return void byPath.set(e.path, e);
    if (sameNode(before, e)) return;
    // Folders: the skeleton's (/tmp 1777, /root 0700) and the image's own permissions win.
    if (before.type === 'dir' && e.type === 'dir' && (skeleton.has(e.path) || imagePerms.has(e.path))) return;
    const what =
      before.type === 'dir' && e.type === 'dir'
        ? `with other owners or modes (${before.mode.toString(8)} ${before.owner}:${before.group} and ${e.mode.toString(8)} ${e.owner}:${e.group})`
        : '';
    problems.push(
      diag(
        'rootfs-conflict',
        `${e.path} is installed by both ${who(before)} and ${who(e)}${what ? ' ' + what : ''}`,
        loc ?? (e.pkg ? input.packageLoc(e.pkg) : undefined),
        {
          related: before.pkg ? [{ message: `${before.pkg} is declared here`, location: input.packageLoc(before.pkg) }] : [],
          hint: what
            ? `declare the folder under 'permissions:' in image ${input.imageName}, or make the packages agree`
            : 'drop the path from one of the two packages',
        },
      ),
    );
  };

  for (const p of input.packages) {
    for (const m of p.members) add({ ...m, pkg: p.data.name });
  }
  // Device nodes: from packages (their recipes' `devices:`), then the image's.
  const devices = [
    ...input.packages.flatMap((p) => p.data.devices.map((d) => ({ ...d, pkg: p.data.name, loc: undefined as SourceLocation | undefined }))),
    ...input.image.devices.map((d) => ({ ...d, pkg: undefined })),
  ];

  // Users and groups: merged into what the packages ship.
  const groups: DeclaredGroup[] = [
    ...input.packages.flatMap((p) => p.data.groups.map((g) => ({ name: g.name, id: g.gid, by: `package ${p.data.name}` }))),
    ...input.image.groups.map((g) => ({ name: g.name, id: g.gid, loc: g.loc, by: `image ${input.imageName}` })),
  ];
  const users: DeclaredUser[] = [
    ...input.packages.flatMap((p) =>
      p.data.users.map((u) => ({ name: u.name, id: u.uid, group: u.group, gecos: u.gecos, home: u.home, shell: u.shell, by: `package ${p.data.name}` })),
    ),
    ...input.image.users.map((u) => ({
      name: u.name,
      id: u.uid,
      group: u.group,
      gecos: u.gecos,
      home: u.home,
      shell: u.shell,
      loc: u.loc,
      by: `image ${input.imageName}`,
    })),
  ];
  const accountFile = (path: string, merged: (shipped: string) => string) => {
    const shipped = byPath.get(path);
    if (shipped && shipped.type !== 'file')
      return problems.push(diag('rootfs-conflict', `${path} is a ${shipped.type} in ${who(shipped)}, not a file`, undefined));
    const before = shipped?.sha256 ? input.readText(shipped.sha256) : '';
    const text = merged(shipped ? before : path === '/etc/passwd' ? 'root:x:0:0:root:/root:/bin/sh\n' : 'root:x:0:\n');
    if (shipped && text === before) return;
    const sha256 = input.storeText(text);
    byPath.set(path, { ...(shipped ?? { path, type: 'file', mode: 0o644, ...root }), sha256, size: Buffer.byteLength(text) });
  };
  if (groups.length || users.length) {
    accountFile('/etc/group', (t) => mergeGroups(t, groups, problems));
    const gids = new Map(parseAccounts(input.readText(byPath.get('/etc/group')!.sha256!)).map((a) => [a.name, a.id]));
    accountFile('/etc/passwd', (t) => mergeUsers(t, users, gids, problems));
  }

  for (const d of devices) {
    add({ path: d.path, type: d.type, mode: d.mode, uid: 0, gid: 0, owner: d.owner, group: d.group, major: d.major, minor: d.minor, pkg: d.pkg }, d.loc);
  }
  for (const p of input.image.permissions) {
    const e = byPath.get(p.path);
    if (!e) {
      problems.push(diag('rootfs-permission-unused', `permissions for ${p.path}, which no installed package holds`, p.loc));
      continue;
    }
    byPath.set(p.path, { ...e, mode: p.mode ?? e.mode, owner: p.owner ?? e.owner, group: p.group ?? e.group });
  }

  // Owners by name must be accounts of the image, with the ids the entries carry.
  const text = (path: string) => (byPath.get(path)?.sha256 ? input.readText(byPath.get(path)!.sha256!) : '');
  const uids = new Map(parseAccounts(text('/etc/passwd')).map((a) => [a.name, a.id]));
  const gids = new Map(parseAccounts(text('/etc/group')).map((a) => [a.name, a.id]));
  uids.set('root', 0);
  gids.set('root', 0);
  for (const [path, e] of byPath) {
    const owner = e.owner ?? 'root';
    const group = e.group ?? 'root';
    const uid = uids.get(owner);
    const gid = gids.get(group);
    if (uid === undefined || gid === undefined) {
      problems.push(
        diag(
          'rootfs-unknown-owner',
          `${path} (${who(e)}) is owned by ${owner}:${group}, but the image has no ${uid === undefined ? `user ${owner}` : `group ${group}`}`,
          e.pkg ? input.packageLoc(e.pkg) : undefined,
          { hint: `declare it under 'users:' or 'groups:'` },
        ),
      );
      continue;
    }
    byPath.set(path, { ...e, uid, gid, owner, group });
  }

  // Implied parents: 0755 root:root, whatever the builder's umask.
  for (const path of [...byPath.keys()]) {
    for (let p = posix.dirname(path); p !== '/' && !byPath.has(p); p = posix.dirname(p)) byPath.set(p, { path: p, type: 'dir', mode: 0o755, ...root });
  }
  for (const [path, e] of byPath) {
    const parent = byPath.get(posix.dirname(path));
    if (path !== '/' && parent && parent.type !== 'dir')
      problems.push(
        diag(
          'rootfs-conflict',
          `${path} (${who(e)}) lies under ${parent.path}, which ${who(parent)} installs as a ${parent.type}`,
          e.pkg ? input.packageLoc(e.pkg) : undefined,
        ),
      );
  }
  if (problems.length) return { ok: false, diagnostics: problems };
  return { ok: true, entries: sortEntries([...byPath.values()]) };
}
