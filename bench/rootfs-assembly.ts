import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { installIpk } from '../core/build/tasks/rootfs-run.js';
import type { PackageData } from '../core/package/pkgdata.js';
import { ipkName } from '../core/package/pkgdata.js';
import { buildRootfs, type PackageMember } from '../core/rootfs/build-rootfs.js';
import { NO_DECLARATIONS } from '../core/metadata/declarations.js';
import type { RootfsManifest } from '../core/rootfs/manifest.js';
import { pairTimes, type PairTimes } from './pair-times.js';

// The rootfs half of `npm run bench:image`: Strata assembling the rootfs of
// an image already built in this checkout (default `base` on qemuarm64),
// from the same .ipk files its rootfs task read: each data.tar.gz read,
// every file stored by its sha256, then owners, modes, accounts and
// conflicts checked (core/rootfs/build-rootfs.ts). Beside it, what a user
// would do by hand with the same packages: `ar p X.ipk data.tar.gz | tar -xz`
// into one folder, package after package.

export interface AssemblyResult extends PairTimes {
  readonly image: string;
  readonly packages: number;
}

export async function benchRootfsAssembly(root: string, work: string, runs: number, image = 'base', machine = 'qemuarm64'): Promise<AssemblyResult | string> {
  const manifestFile = join(root, 'build/work', machine, `${image}-image/rootfs/manifest.json`);
  if (!existsSync(manifestFile)) return `no ${manifestFile}: build it first (strata build ${image} --machine ${machine} --offline)`;
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as RootfsManifest;
  const packages = manifest.packages.map((p) => {
    const data = JSON.parse(readFileSync(join(root, 'build/work', machine, `${p.recipe}-${p.version}`, 'packages', `${p.name}.json`), 'utf8')) as PackageData;
    return { data, ipk: join(root, 'build/deploy/ipk', p.arch, ipkName(p.name, p.version, p.arch)) };
  });
  const out = join(work, 'rootfs-strata');
  const direct = join(work, 'rootfs-direct');
  const script = `rm -rf '${direct}' && mkdir '${direct}' && for f in ${packages.map((p) => `'${p.ipk}'`).join(' ')}; do ar p "$f" data.tar.gz | tar -xzf - -C '${direct}'; done`;
  const times = await pairTimes(
    async () => {
      rmSync(out, { recursive: true, force: true });
      mkdirSync(join(out, 'files'), { recursive: true });
      const store = (content: Buffer | string) => {
        const h = createHash('sha256').update(content).digest('hex');
        const p = join(out, 'files', h);
        if (!existsSync(p)) writeFileSync(p, content, { mode: 0o644 });
        return h;
      };
      const installed: { data: PackageData; members: PackageMember[] }[] = [];
      for (const p of packages) installed.push({ data: p.data, members: await installIpk(readFileSync(p.ipk), store, p.ipk) });
      const r = buildRootfs({
        packages: installed,
        image: NO_DECLARATIONS,
        imageName: image,
        packageLoc: () => undefined,
        readText: (h) => readFileSync(join(out, 'files', h), 'utf8'),
        storeText: store,
      });
      if (!r.ok) throw new Error(r.diagnostics.map((d) => d.message).join('\n'));
    },
    () => void execFileSync('bash', ['-c', script], { stdio: ['ignore', 'ignore', 'inherit'] }),
    runs,
  );
  rmSync(out, { recursive: true, force: true });
  rmSync(direct, { recursive: true, force: true });
  return { image, packages: packages.length, ...times };
}
