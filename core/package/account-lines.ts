// One line of /etc/group or /etc/passwd (group(5), passwd(5)) for a
// declared group or user. Written by two stages with the same formatters: a
// package's preinst (preinst.ts) adds the line on a device, and the rootfs
// (core/rootfs/accounts.ts) writes it into the image. They live here, in the
// lower stage, so the rootfs imports them and package never reaches up.

export interface Account {
  readonly name: string;
  readonly id: number;
}

/** A group(5) line for a declared group (no members, no password). */
export const groupLine = (g: Account): string => `${g.name}:x:${g.id}:`;

/** A passwd(5) line; locked password ("!"), like useradd's default: declared users log in only as their recipe arranges. */
export const userLine = (u: Account & { readonly gecos: string; readonly home: string; readonly shell: string }, gid: number | string): string =>
  `${u.name}:!:${u.id}:${gid}:${u.gecos}:${u.home}:${u.shell}`;
