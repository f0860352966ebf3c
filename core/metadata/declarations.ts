import { diag, UserError, type SourceLocation } from '../diagnostics/diagnostic.js';
import { MAX_MAJOR, MAX_MINOR } from '../model/device-numbers.js';
import { asNumber, asSeq, asString, get, readMap } from './schema.js';
import type { LEntry, LValue } from './tree.js';

// What a recipe or an image declares about the root filesystem beyond the
// files it installs: users, groups, device nodes, and owners or modes of
// paths. A build never reads these from the host (its /etc/passwd, its
// umask, the owner of files in ${D}), so the image is the same whoever
// builds it, root or not. Keys, as in a recipe or an image file:
//
//   groups:      [{name: www, gid: 33}]
//   users:       [{name: www, uid: 33, group: www, home: /var/www, shell: /bin/false}]
//   devices:     [{path: /dev/ttyS0, type: char, major: 4, minor: 64, mode: "0620", group: tty}]
//   permissions: [{path: /var/www, mode: "0750", owner: www, group: www}]
//
// In a recipe, `package:` says which package carries a user, group or
// device (default: the recipe's first package).

export interface GroupDecl {
  readonly name: string;
  readonly gid: number;
  readonly package?: string;
  readonly loc: SourceLocation;
}

export interface UserDecl {
  readonly name: string;
  readonly uid: number;
  /** The primary group's name; a group of that name must be declared or shipped. */
  readonly group: string;
  readonly home: string;
  readonly shell: string;
  readonly gecos: string;
  readonly package?: string;
  readonly loc: SourceLocation;
}

export interface DeviceDecl {
  readonly path: string;
  readonly type: 'chardev' | 'blockdev';
  readonly major: number;
  readonly minor: number;
  readonly mode: number;
  readonly owner: string;
  readonly group: string;
  readonly package?: string;
  readonly loc: SourceLocation;
}

export interface PermissionDecl {
  readonly path: string;
  readonly mode?: number;
  readonly owner?: string;
  readonly group?: string;
  readonly loc: SourceLocation;
}

export interface RootfsDeclarations {
  readonly users: readonly UserDecl[];
  readonly groups: readonly GroupDecl[];
  readonly devices: readonly DeviceDecl[];
  readonly permissions: readonly PermissionDecl[];
}

export const DECLARATION_KEYS = ['users', 'groups', 'devices', 'permissions'] as const;
export const NO_DECLARATIONS: RootfsDeclarations = { users: [], groups: [], devices: [], permissions: [] };

const NAME = /^[a-z_][a-z0-9_-]{0,31}$/;

function name(v: LValue, what: string): string {
  const s = asString(v, what);
  if (!NAME.test(s))
    throw new UserError(
      diag('rootfs-bad-name', `${what} '${s}' is not a valid user or group name`, v.loc, {
        hint: 'lower-case letters, digits, _ and -, starting with a letter or _, at most 32 characters',
      }),
    );
  return s;
}

function id(v: LValue, what: string): number {
  const n = asNumber(v, what);
  if (!Number.isInteger(n) || n < 0 || n > 65534) throw new UserError(diag('rootfs-bad-id', `${what} ${n} is not an id from 0 to 65534`, v.loc));
  return n;
}

/** A mode written as an octal string ("0755") or an octal-looking number (0755 keeps its spelling). */
export function parseMode(v: LValue, what: string): number {
  const s = asString(v, what);
  if (!/^0?[0-7]{3,4}$/.test(s))
    throw new UserError(diag('rootfs-bad-mode', `${what} '${s}' is not an octal mode`, v.loc, { hint: 'write it as a quoted octal string, e.g. "0755"' }));
  return parseInt(s, 8);
}

function absPath(v: LValue, what: string): string {
  const s = asString(v, what);
  if (!s.startsWith('/') || s === '/' || s.endsWith('/') || s.split('/').some((p, i) => i > 0 && (p === '' || p === '.' || p === '..'))) {
    throw new UserError(
      diag('rootfs-bad-path', `${what} '${s}' is not an absolute path inside the image`, v.loc, {
        hint: 'like /dev/ttyS0: starts with /, no trailing /, no . or .. parts',
      }),
    );
  }
  return s;
}

const opt = <T>(m: Map<string, LEntry>, key: string, read: (v: LValue) => T): T | undefined => {
  const v = get(m, key);
  return v === undefined ? undefined : read(v);
};

function list<T>(m: Map<string, LEntry>, key: string, read: (item: LValue) => T): T[] {
  const v = get(m, key);
  return v ? asSeq(v, key).map(read) : [];
}

/** Reads the declaration keys of a recipe, append, class (withPackage) or image file. */
export function readDeclarations(m: Map<string, LEntry>, withPackage: boolean): RootfsDeclarations {
  const pkg = withPackage ? ['package'] : [];
  const pkgOf = (e: Map<string, LEntry>) => opt(e, 'package', (v) => asString(v, 'package'));
  return {
    groups: list(m, 'groups', (item) => {
      const e = readMap(item, ['name', 'gid', ...pkg], 'group', ['name', 'gid']);
      return { name: name(get(e, 'name')!, 'group name'), gid: id(get(e, 'gid')!, 'gid'), package: pkgOf(e), loc: item.loc };
    }),
    users: list(m, 'users', (item) => {
      const e = readMap(item, ['name', 'uid', 'group', 'home', 'shell', 'gecos', ...pkg], 'user', ['name', 'uid']);
      const user = name(get(e, 'name')!, 'user name');
      return {
        name: user,
        uid: id(get(e, 'uid')!, 'uid'),
        group: opt(e, 'group', (v) => name(v, 'group name')) ?? user,
        home: opt(e, 'home', (v) => absPath(v, 'home')) ?? '/nonexistent',
        shell: opt(e, 'shell', (v) => absPath(v, 'shell')) ?? '/bin/false',
        gecos: opt(e, 'gecos', (v) => asString(v, 'gecos').replace(/[:\n]/g, ' ')) ?? user,
        package: pkgOf(e),
        loc: item.loc,
      };
    }),
    devices: list(m, 'devices', (item) => {
      const e = readMap(item, ['path', 'type', 'major', 'minor', 'mode', 'owner', 'group', ...pkg], 'device', ['path', 'type', 'major', 'minor']);
      const t = asString(get(e, 'type')!, 'device type');
      if (t !== 'char' && t !== 'block')
        throw new UserError(diag('rootfs-bad-device', `device type '${t}' is neither 'char' nor 'block'`, get(e, 'type')!.loc));
      const num = (k: 'major' | 'minor') => {
        const n = asNumber(get(e, k)!, k);
        const max = k === 'major' ? MAX_MAJOR : MAX_MINOR;
        if (!Number.isInteger(n) || n < 0 || n > max)
          throw new UserError(
            diag('rootfs-bad-device', `device ${k} ${n} is out of range`, get(e, k)!.loc, { hint: `Linux's ${k} numbers go from 0 to ${max}` }),
          );
        return n;
      };
      return {
        path: absPath(get(e, 'path')!, 'device path'),
        type: t === 'char' ? 'chardev' : 'blockdev',
        major: num('major'),
        minor: num('minor'),
        mode: opt(e, 'mode', (v) => parseMode(v, 'device mode')) ?? 0o600,
        owner: opt(e, 'owner', (v) => name(v, 'owner')) ?? 'root',
        group: opt(e, 'group', (v) => name(v, 'group')) ?? 'root',
        package: pkgOf(e),
        loc: item.loc,
      };
    }),
    permissions: list(m, 'permissions', (item) => {
      const e = readMap(item, ['path', 'mode', 'owner', 'group'], 'permission', ['path']);
      return {
        path: absPath(get(e, 'path')!, 'permission path'),
        mode: opt(e, 'mode', (v) => parseMode(v, 'mode')),
        owner: opt(e, 'owner', (v) => name(v, 'owner')),
        group: opt(e, 'group', (v) => name(v, 'group')),
        loc: item.loc,
      };
    }),
  };
}

export function mergeDeclarations(parts: readonly RootfsDeclarations[]): RootfsDeclarations {
  return {
    users: parts.flatMap((p) => p.users),
    groups: parts.flatMap((p) => p.groups),
    devices: parts.flatMap((p) => p.devices),
    permissions: parts.flatMap((p) => p.permissions),
  };
}
