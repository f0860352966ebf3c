import { diag, type Diagnostic, type SourceLocation } from '../diagnostics/diagnostic.js';

// /etc/passwd and /etc/group of the image: the lines a package ships
// (base-files), plus one line for each declared user and group it lacks. A
// declaration that contradicts a shipped line (same name, other id; same
// id, other name) is an error, never a silent choice. Formats: passwd(5),
// group(5).

export interface Account {
  readonly name: string;
  readonly id: number;
}

export interface DeclaredUser extends Account {
  readonly group: string;
  readonly gecos: string;
  readonly home: string;
  readonly shell: string;
  readonly loc?: SourceLocation;
  /** Who declared it, for messages: a package or the image. */
  readonly by: string;
}

export interface DeclaredGroup extends Account {
  readonly loc?: SourceLocation;
  readonly by: string;
}

/** Name and id of each line of a passwd or group file (field 3 is the uid or gid in both). */
export function parseAccounts(text: string): Account[] {
  return text
    .split('\n')
    .filter((l) => l.trim() && !l.startsWith('#'))
    .map((l) => l.split(':'))
    .map((f) => ({ name: f[0], id: Number(f[2]) }));
}

function merge<T extends DeclaredGroup | DeclaredUser>(
  kind: 'user' | 'group',
  shipped: string,
  declared: readonly T[],
  line: (d: T) => string,
  problems: Diagnostic[],
): string {
  const have = parseAccounts(shipped);
  const added: T[] = [];
  // Checked in declaration order (packages by name, then the image), so a
  // clash is reported at the later declaration; added lines sorted by id.
  for (const d of declared) {
    const same = have.find((a) => a.name === d.name);
    const taken = have.find((a) => a.id === d.id);
    if (same && same.id !== d.id)
      problems.push(
        diag(`rootfs-${kind}-conflict`, `${kind} ${d.name} is declared with id ${d.id} by ${d.by}, but the image already has it with id ${same.id}`, d.loc),
      );
    else if (!same && taken)
      problems.push(diag(`rootfs-${kind}-conflict`, `${kind} ${d.name} (declared by ${d.by}) takes id ${d.id}, which ${taken.name} already has`, d.loc));
    else if (!same) {
      added.push(d);
      have.push(d);
    }
  }
  const head = shipped && !shipped.endsWith('\n') ? shipped + '\n' : shipped;
  return (
    head +
    added
      .sort((a, b) => a.id - b.id || (a.name < b.name ? -1 : 1))
      .map((d) => line(d) + '\n')
      .join('')
  );
}

/** A group(5) line for a declared group (no members, no password). */
export const groupLine = (g: Account): string => `${g.name}:x:${g.id}:`;

/** A passwd(5) line; locked password ("!"), like useradd's default: declared users log in only as their recipe arranges. */
export const userLine = (u: Account & Pick<DeclaredUser, 'gecos' | 'home' | 'shell'>, gid: number | string): string =>
  `${u.name}:!:${u.id}:${gid}:${u.gecos}:${u.home}:${u.shell}`;

export function mergeGroups(shipped: string, declared: readonly DeclaredGroup[], problems: Diagnostic[]): string {
  return merge('group', shipped, declared, groupLine, problems);
}

/** `groups` maps group names to gids, for each user's primary group. */
export function mergeUsers(shipped: string, declared: readonly DeclaredUser[], groups: ReadonlyMap<string, number>, problems: Diagnostic[]): string {
  for (const u of declared) {
    if (!groups.has(u.group))
      problems.push(
        diag('rootfs-unknown-group', `user ${u.name} (declared by ${u.by}) has primary group ${u.group}, which the image does not have`, u.loc, {
          hint: `declare the group under 'groups:'`,
        }),
      );
  }
  return merge('user', shipped, declared, (u) => userLine(u, groups.get(u.group) ?? 0), problems);
}
