import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tarEntries } from '../../archive/tar-reader.js';
import { replaceDir } from '../../deploy/deploy.js';
import { packageIndex, packageMaker, rdependsAt, type ImagePlan } from '../../graph/plan.js';
import { matchesPackagePattern } from '../../package/dynamic.js';
import { writeFeedIndex } from '../../package/feed.js';
import { ipkParts } from '../../package/ipk.js';
import type { PackageData } from '../../package/pkgdata.js';
import { buildRootfs, type PackageMember } from '../../rootfs/build-rootfs.js';
import { installClosure } from '../../rootfs/closure.js';
import type { InstalledPackage, RootfsManifest } from '../../rootfs/manifest.js';
import { TaskFailed, type TaskRun } from '../context.js';
import { builtPackages, packagesDir, readPackageData } from './package.js';

// The rootfs task's work (rootfs.ts says what it makes).

const planOf = (p: unknown): ImagePlan => (p as { plan: ImagePlan }).plan;
const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

/** The members of an .ipk's data archive, contents stored under `files/`. */
export async function installIpk(ipk: Buffer, store: (content: Buffer) => string, from: string): Promise<PackageMember[]> {
  const parts = ipkParts(ipk);
  if (!parts.ok) throw new TaskFailed(`${from}: ${parts.reason}`);
  const members: PackageMember[] = [];
  for await (const e of tarEntries((async function* () { yield parts.data; })(), (m) => m.type === 'file')) {
    const path = e.path.replace(/^\.\//, '/').replace(/\/$/, '');
    if (path === '/' || path === '' || path === '.') continue;
    if (!path.startsWith('/') || path.split('/').some((s, i) => i > 0 && (s === '' || s === '.' || s === '..'))) throw new TaskFailed(`${from}: member '${e.path}' is not a plain path`);
    if (e.type !== 'file' && e.type !== 'dir' && e.type !== 'symlink') throw new TaskFailed(`${from}: member '${e.path}' is a ${e.type}; packages hold files, folders and symlinks`);
    const base = { path, type: e.type, mode: e.mode, uid: e.uid, gid: e.gid, owner: e.uname || 'root', group: e.gname || 'root' };
    if (e.type === 'file') {
      const content = e.data ?? Buffer.alloc(0);
      members.push({ ...base, sha256: store(content), size: content.length });
    } else members.push(e.type === 'symlink' ? { ...base, target: e.linkname } : base);
  }
  return members;
}

/** Installs the image's package closure into `dir` (the task's rootfs folder). */
export async function runRootfs(t: TaskRun, dir: string): Promise<void> {
  const plan = planOf(t.node.payload);
  const index = packageIndex(t.ctx.cfg);
  const closure = installClosure({
    install: plan.roots.map((r) => r.name),
    installAt: (n) => plan.roots.find((r) => r.name === n)?.at ?? plan.image.loc,
    dependsAt: (pkg, dep) => {
      const maker = packageMaker(t.ctx.cfg, index, pkg);
      return maker && rdependsAt(maker, pkg, dep);
    },
    lookup: (name) => {
      const maker = packageMaker(t.ctx.cfg, index, name);
      if (!maker) return undefined;
      const r = maker.recipe;
      const data = readPackageData(r, name);
      if (!data && maker.dynamic) {
        const d = maker.dynamic;
        const made = builtPackages(r)
          .map((p) => p.name)
          .filter((n) => matchesPackagePattern(d.pattern, n));
        const list = made.length > 8 ? `${made.slice(0, 8).join(', ')}, … (${made.length})` : made.join(', ') || 'none';
        return `it matches ${d.pattern} of recipe ${r.name} (${d.loc.file}:${d.loc.line}), but no file ${r.name} installed matched ${d.files.join(' or ')}; the ${d.pattern} packages it made: ${list}`;
      }
      if (!data) throw new TaskFailed(`package ${name} (recipe ${r.name}) is needed by image ${plan.image.name} but was not built: a run-time dependency of a package from a recipe outside the image's build closure; add ${name} to the image's install list`);
      return data;
    },
  });
  if (!closure.ok) throw TaskFailed.of(closure.diagnostics);
  let entries = 0;
  await mkdir(t.workdir, { recursive: true });
  await replaceDir(dir, async (tmp) => {
    await mkdir(join(tmp, 'files'));
    const store = (content: Buffer | string) => {
      const h = sha(content);
      const p = join(tmp, 'files', h);
      if (!existsSync(p)) writeFileSync(p, content, { mode: 0o644 });
      return h;
    };
    const installed: { data: PackageData; members: PackageMember[] }[] = [];
    for (const data of closure.packages) {
      const file = join(packagesDir(packageMaker(t.ctx.cfg, index, data.name)!.recipe), data.ipk.file);
      const ipk = await readFile(file);
      if (sha(ipk) !== data.ipk.sha256) throw new TaskFailed(`${file} does not match its package data (sha256 ${sha(ipk)}, expected ${data.ipk.sha256}): run its package task again`);
      installed.push({ data, members: await installIpk(ipk, store, file) });
    }
    const result = buildRootfs({
      packages: installed,
      image: { users: [], groups: [], devices: [], permissions: [], ...plan.image.declarations },
      imageName: plan.image.name,
      packageLoc: (pkg) => {
        const maker = packageMaker(t.ctx.cfg, index, pkg);
        return maker?.dynamic?.loc ?? maker?.recipe.packages.find((s) => s.name === pkg)?.loc;
      },
      readText: (h) => readFileSync(join(tmp, 'files', h), 'utf8'),
      storeText: store,
    });
    if (!result.ok) throw TaskFailed.of(result.diagnostics);
    entries = result.entries.length;
    const packages: InstalledPackage[] = closure.packages.map((p) => {
      const { name, version, arch, license, recipe, depends } = p;
      return { name, version, arch, license, recipe, depends, ipkSha256: p.ipk.sha256 };
    });
    const manifest: RootfsManifest = { format: 1, packages, entries: result.entries };
    await writeFile(join(tmp, 'manifest.json'), JSON.stringify(manifest, null, 1) + '\n');
  });
  // The feeds these packages came from get a fresh index (package tasks
  // write one too, also when restored from the cache; this keeps the feed
  // right when its folder was changed by hand).
  for (const arch of [...new Set(closure.packages.map((p) => p.arch))].sort()) await writeFeedIndex(t.ctx.layout.feedDir(arch));
  await writeFile(t.log, `${entries} entries from ${closure.packages.length} packages: ${closure.packages.map((p) => `${p.name} ${p.version}`).join(', ')}\n`);
}
