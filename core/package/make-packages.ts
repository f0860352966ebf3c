import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { diag, type Diagnostic, type SourceLocation } from '../diagnostics/diagnostic.js';
import type { DynamicPackageSpec, PackageSpec } from '../metadata/body.js';
import type { RootfsDeclarations } from '../metadata/declarations.js';
import { PACKAGE_NAME, PACKAGE_VERSION } from './control.js';
import { matchesPackagePattern, splitDynamic } from './dynamic.js';
import { isElf, readElf } from './elf.js';
import { globToRegExp } from './glob.js';
import { closest } from '../diagnostics/spelling.js';
import { ipkArchive } from './ipk.js';
import { moduleDepends, modulesDepFiles } from './modules-dep.js';
import { ipkName, type DependsReason, type PackageData, type PackageFile } from './pkgdata.js';
import { providedSonames, shlibDepends, type ElfFile, type ShlibProvider } from './shlibdeps.js';
import { assignFiles } from './split.js';
import type { TreeEntry } from './walk.js';

// A recipe's install tree to its packages: split, owners and modes from
// declarations (never from the builder: folders no one declares are 0755
// root:root whatever the umask was), run-time dependencies (declared plus
// shared libraries), conffiles, and the .ipk bytes.

export interface RecipePackaging {
  readonly recipe: string;
  readonly version: string;
  readonly arch: string;
  readonly license: string;
  readonly summary: string;
  readonly homepage?: string;
  readonly maintainer: string;
  readonly file: string;
  readonly specs: readonly PackageSpec[];
  /** `packages-dynamic:`: packages made from the files found (core/package/dynamic.ts). */
  readonly dynamic?: readonly DynamicPackageSpec[];
  readonly rdepends: ReadonlyMap<string, readonly string[]>;
  /** Where each run-time dependency is written, by `<package> <dependency>`. */
  readonly rdependsAt?: ReadonlyMap<string, SourceLocation>;
  /** Package names any recipe makes, to check declared run-time dependencies. */
  readonly knownPackages?: ReadonlySet<string>;
  /** Dynamic package patterns of every recipe (`kernel-module-%`): names they can make count as known. */
  readonly knownPatterns?: readonly string[];
  readonly conffiles: ReadonlyMap<string, readonly string[]>;
  readonly declarations: RootfsDeclarations;
}

/** What the recipes this one builds against provide: their packages (for shared libraries) and accounts. */
export interface ExternalPackages {
  readonly providers: readonly ShlibProvider[];
  readonly users: ReadonlyMap<string, number>;
  readonly groups: ReadonlyMap<string, number>;
}

export interface BuiltPackage {
  readonly data: PackageData;
  readonly ipk: Buffer;
}

export type PackagingResult =
  | { ok: true; packages: BuiltPackage[] }
  /** Diagnostics for bad metadata (with file:line), messages for what the build produced. */
  | { ok: false; diagnostics: Diagnostic[]; messages: string[] };

const DEFAULT_CONFFILES = ['/etc/**'];

/** Names the recipe's metadata uses for packages: its own (rdepends, conffiles, package:) and others' (rdepends values). */
function checkPackageNames(r: RecipePackaging): Diagnostic[] {
  const out: Diagnostic[] = [];
  const own = r.specs.map((s) => s.name);
  const ownDynamic = (pkg: string) => (r.dynamic ?? []).some((d) => matchesPackagePattern(d.pattern, pkg));
  const known = (d: string) => !r.knownPackages || r.knownPackages.has(d) || (r.knownPatterns ?? []).some((p) => matchesPackagePattern(p, d));
  const whole: SourceLocation = { file: r.file, line: 0, column: 0 };
  const suggest = (name: string, among: Iterable<string>) => {
    const near = closest(name, among);
    return near ? `did you mean '${near}'?` : undefined;
  };
  for (const [pkg, deps] of r.rdepends) {
    const at = (d: string) => r.rdependsAt?.get(`${pkg} ${d}`) ?? whole;
    if (!own.includes(pkg) && !ownDynamic(pkg))
      out.push(
        diag('package-unknown', `rdepends: ${r.recipe} makes no package '${pkg}'`, deps.length ? at(deps[0]) : whole, {
          hint: suggest(pkg, own) ?? `its packages: ${own.join(', ')}`,
        }),
      );
    for (const d of deps) {
      if (!known(d))
        out.push(
          diag('package-unknown', `run-time dependency '${d}' of ${pkg}: no recipe makes a package of that name`, at(d), {
            hint: suggest(d, r.knownPackages ?? []),
          }),
        );
    }
  }
  for (const spec of r.dynamic ?? [])
    spec.rdepends.forEach((d, i) => {
      if (!known(d) && !own.includes(d) && !ownDynamic(d))
        out.push(
          diag('package-unknown', `run-time dependency '${d}' of ${spec.pattern}: no recipe makes a package of that name`, spec.rdependsAt[i] ?? spec.loc, {
            hint: suggest(d, r.knownPackages ?? own),
          }),
        );
    });
  for (const pkg of r.conffiles.keys())
    if (!own.includes(pkg)) out.push(diag('package-unknown', `conffiles: ${r.recipe} makes no package '${pkg}'`, whole, { hint: suggest(pkg, own) }));
  for (const d of [...r.declarations.users, ...r.declarations.groups, ...r.declarations.devices]) {
    if (d.package !== undefined && !own.includes(d.package))
      out.push(
        diag('package-unknown', `package '${d.package}' is not one of ${r.recipe}'s packages`, d.loc, {
          hint: suggest(d.package, own) ?? `its packages: ${own.join(', ')}`,
        }),
      );
  }
  return out;
}

export function makePackages(r: RecipePackaging, tree: readonly TreeEntry[], ext: ExternalPackages, epoch: number): PackagingResult {
  const diagnostics: Diagnostic[] = [];
  const messages: string[] = [];
  for (const s of r.specs) {
    if (!PACKAGE_NAME.test(s.name))
      diagnostics.push(
        diag('package-bad-name', `package name '${s.name}' is not a valid package name`, s.loc, {
          hint: 'lower-case letters, digits, + - and ., at least two characters, starting with a letter or digit',
        }),
      );
  }
  if (!PACKAGE_VERSION.test(r.version))
    diagnostics.push(
      diag(
        'package-bad-version',
        `version '${r.version}' of ${r.recipe} cannot be a package version`,
        { file: r.file, line: 0, column: 0 },
        { hint: 'a package version starts with a digit and has no spaces' },
      ),
    );
  diagnostics.push(...checkPackageNames(r));
  const dynamic = splitDynamic(
    tree,
    r.dynamic ?? [],
    r.specs.map((s) => s.name),
  );
  diagnostics.push(...dynamic.problems);
  // Dynamic packages take their files first; the fixed ones share out the rest.
  const specs: PackageSpec[] = [...r.specs, ...[...dynamic.packages].map(([name, d]) => ({ name, patterns: [], loc: d.loc, implicit: true }))];
  const split = assignFiles(tree, specs, dynamic.claims);
  diagnostics.push(...split.problems);
  if (split.unshipped.length) {
    const u = split.unshipped;
    messages.push(
      `files installed but not in any package:\n  ${u.slice(0, 20).join('\n  ')}${u.length > 20 ? `\n  … and ${u.length - 20} more` : ''}\n  add patterns under 'packages:' in ${r.file}, or stop installing them`,
    );
  }

  // Accounts known to this recipe: root, its own declarations, and those of the recipes it builds against.
  const users = new Map<string, number>([['root', 0], ...ext.users]);
  const groups = new Map<string, number>([['root', 0], ...ext.groups]);
  for (const g of r.declarations.groups) groups.set(g.name, g.gid);
  for (const u of r.declarations.users) users.set(u.name, u.uid);
  const perms = new Map(r.declarations.permissions.map((p) => [p.path, p]));
  for (const p of r.declarations.permissions) {
    if (p.owner && !users.has(p.owner))
      diagnostics.push(
        diag('rootfs-unknown-user', `owner '${p.owner}' of ${p.path} is not a declared user`, p.loc, {
          hint: `declare it under 'users:' in this recipe or one it depends on`,
        }),
      );
    if (p.group && !groups.has(p.group))
      diagnostics.push(
        diag('rootfs-unknown-group', `group '${p.group}' of ${p.path} is not a declared group`, p.loc, {
          hint: `declare it under 'groups:' in this recipe or one it depends on`,
        }),
      );
    if (!tree.some((e) => e.path === p.path))
      diagnostics.push(diag('rootfs-permission-unused', `permissions for ${p.path}, which the recipe does not install`, p.loc));
  }
  if (diagnostics.length) return { ok: false, diagnostics, messages };

  const content = new Map<string, Buffer>();
  const bytes = (e: TreeEntry) => {
    let b = content.get(e.path);
    if (!b) content.set(e.path, (b = readFileSync(e.host)));
    return b;
  };
  const built = specs.map((s) => {
    const files: PackageFile[] = [];
    const elves: ElfFile[] = [];
    for (const e of split.packages.get(s.name)!) {
      const p = perms.get(e.path);
      const owner = p?.owner ?? 'root';
      const group = p?.group ?? 'root';
      // Folders: 0755 unless declared, so the builder's umask never reaches the image.
      const mode = p?.mode ?? (e.type === 'dir' ? 0o755 : e.type === 'symlink' ? 0o777 : e.mode);
      const base = { path: e.path, type: e.type, mode, uid: users.get(owner)!, gid: groups.get(group)!, owner, group };
      if (e.type === 'file') {
        const b = bytes(e);
        files.push({ ...base, size: b.length, sha256: createHash('sha256').update(b).digest('hex') });
        if (isElf(b)) {
          const elf = readElf(b);
          if (elf.ok) elves.push({ path: e.path, elf: elf.elf });
        }
      } else files.push(e.type === 'symlink' ? { ...base, target: e.target } : base);
    }
    return {
      spec: s,
      files,
      elves,
      sonames: providedSonames(
        files.filter((f) => f.type !== 'dir').map((f) => f.path),
        elves,
      ),
    };
  });
  const providers: ShlibProvider[] = [
    ...built.map((b) => ({ name: b.spec.name, paths: b.files.filter((f) => f.type !== 'dir').map((f) => f.path), sonames: b.sonames })),
    ...ext.providers,
  ];

  // Kernel modules need the packages of the modules they need (`rdepends-from: modules.dep`).
  const ownerOf = new Map(built.flatMap((b) => b.files.filter((f) => f.type !== 'dir').map((f) => [f.path, b.spec.name] as const)));
  const fromDep = new Set([...dynamic.packages].filter(([, d]) => d.rdependsFrom === 'modules.dep').map(([name]) => name));
  const modDeps = moduleDepends(
    fromDep.size ? modulesDepFiles(tree).map((e) => ({ file: e.path, text: bytes(e).toString('utf8') })) : [],
    (p) => ownerOf.get(p),
    (pkg) => fromDep.has(pkg),
  );
  for (const m of modDeps.missing)
    messages.push(`modules.dep: ${m.module} needs ${m.needs}, which no package of ${r.recipe} ships
  install that module too, or stop installing ${m.module}`);

  const first = r.specs[0]?.name;
  const mine = <T extends { package?: string }>(list: readonly T[], pkg: string) =>
    list.filter((x) => (x.package ?? first) === pkg).map(({ loc: _loc, ...rest }: T & { loc?: unknown }) => rest);
  const packages: BuiltPackage[] = [];
  for (const b of built) {
    const name = b.spec.name;
    const shlibs = shlibDepends(name, b.elves, providers);
    for (const u of shlibs.unresolved) {
      messages.push(
        `${u.binary} (package ${name}) needs ${u.what === 'library' ? 'the library' : 'the dynamic loader'} ${u.needs}, which no package of ${r.recipe} or of the recipes it depends on provides\n  add the recipe that makes it to 'depends:' in ${r.file}`,
      );
    }
    const declaredNames = [...(dynamic.packages.get(name)?.rdepends ?? []), ...(r.rdepends.get(name) ?? [])];
    const declared: DependsReason[] = declaredNames.map((d) => ({ package: d, why: 'declared' }));
    const why = [...declared, ...(modDeps.depends.get(name) ?? []), ...shlibs.depends];
    const patterns = (r.conffiles.get(name) ?? DEFAULT_CONFFILES).map(globToRegExp);
    const data: Omit<PackageData, 'ipk'> = {
      format: 1,
      name,
      version: r.version,
      arch: r.arch,
      recipe: r.recipe,
      license: r.license,
      summary: r.summary,
      homepage: r.homepage,
      maintainer: r.maintainer,
      depends: [...new Set(why.map((w) => w.package))].filter((d) => d !== name).sort(),
      dependsWhy: why,
      sonames: b.sonames,
      conffiles: b.files.filter((f) => f.type === 'file' && patterns.some((re) => re.test(f.path))).map((f) => f.path),
      files: b.files,
      users: mine(r.declarations.users, name),
      groups: mine(r.declarations.groups, name),
      devices: mine(r.declarations.devices, name),
    };
    const hostOf = new Map(split.packages.get(name)!.map((e) => [e.path, e]));
    const ipk = ipkArchive(data, (f) => bytes(hostOf.get(f.path)!), epoch);
    packages.push({
      data: { ...data, ipk: { file: ipkName(name, r.version, r.arch), sha256: createHash('sha256').update(ipk).digest('hex'), size: ipk.length } },
      ipk,
    });
  }
  if (messages.length) return { ok: false, diagnostics, messages };
  return { ok: true, packages };
}
