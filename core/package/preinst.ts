import { groupLine, userLine } from '../rootfs/accounts.js';
import type { PackageData } from './pkgdata.js';

// The `preinst` of a package that declares users or groups, for a device
// that installs the package with opkg (Yocto's useradd class does the same
// with a preinst calling useradd). Strata's own rootfs never runs it: the
// image's /etc/passwd and /etc/group are written from the declarations
// (core/rootfs/accounts.ts), and this script writes the same lines, with the
// same formatters, only when an account of that name is missing. opkg
// exports PKG_ROOT, the root being installed into (an offline root or /).
// It needs only sh, grep and awk, which busybox has.

/** Single-quoted for sh. */
const shq = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

export function accountsPreinst(p: Pick<PackageData, 'name' | 'users' | 'groups'>): string | undefined {
  if (p.users.length === 0 && p.groups.length === 0) return undefined;
  const lines = [
    '#!/bin/sh',
    `# Made by Strata from the users and groups package ${p.name} declares:`,
    '# adds each one that is missing to the root being installed into.',
    'set -e',
    'etc="${PKG_ROOT:-}/etc"',
    'touch "$etc/group" "$etc/passwd"',
  ];
  for (const g of [...p.groups].sort((a, b) => a.gid - b.gid)) {
    lines.push(`grep -q ${shq(`^${g.name}:`)} "$etc/group" || echo ${shq(groupLine({ name: g.name, id: g.gid }))} >> "$etc/group"`);
  }
  for (const u of [...p.users].sort((a, b) => a.uid - b.uid)) {
    // The primary group may come from another package: its gid is read at install time.
    const [before, after] = userLine({ ...u, id: u.uid }, '\0').split('\0');
    lines.push(
      `if ! grep -q ${shq(`^${u.name}:`)} "$etc/passwd"; then`,
      `  gid=$(awk -F: -v g=${shq(u.group)} '$1 == g { print $3 }' "$etc/group")`,
      `  [ -n "$gid" ] || { echo ${shq(`${p.name}: user ${u.name} needs group ${u.group}, which is missing`)} >&2; exit 1; }`,
      `  echo ${shq(before)}"$gid"${shq(after)} >> "$etc/passwd"`,
      'fi',
    );
  }
  return lines.join('\n') + '\n';
}
