import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { plugins } from '../core/session/plugins.js';
import type { DiskDescription } from '../core/image/disk/disk-description.js';
import type { ImageEntry } from '../core/image/image-tree.js';
import { benchRootfsAssembly } from './rootfs-assembly.js';
import { pairTimes, type PairTimes } from './pair-times.js';

// npm run bench:image [-- <files> <runs> <types,…>] — time of Strata assembling
// base's rootfs from its packages (when base is built in this checkout; see
// rootfs-assembly.ts), and writing each image type from a synthetic tree
// (default 3,000 files, about 50 MB: many small files, some large ones, half
// compressible text, half noise), beside the host tools doing the same job on
// the same tree folder in the same run (tar, mke2fs -d, mksquashfs,
// mkfs.vfat + mcopy, cpio), with the same compression levels and, for
// ext4 and vfat, the same image size as Strata's. The entries carry their
// sha256 and size, as the rootfs manifest's do. After a run of each to
// warm up, Strata and the tool take turns in alternating order, `runs`
// times each (default 7), each side's previous output removed untimed
// before its run, and the figures are medians of wall and of CPU time
// (pair-times.ts), with the load average before and after. Each image's
// sha256 is printed too, to check that a change to a writer kept every
// byte. Prints one JSON object; goal: ratio <= 1.1.
// Everything lives in a temp folder that is removed at the end.

const FILES = Number(process.argv[2] ?? 3000);
const RUNS = Number(process.argv[3] ?? 7);
const ONLY = process.argv[4]?.split(',');
const EPOCH = 1704067200;
const work = mkdtempSync(join(tmpdir(), 'strata-bench-image-'));
const tree = join(work, 'tree');

/** Deterministic bytes: a text-like half and a noise-like half. */
function bytesFor(i: number, size: number): Buffer {
  const out = Buffer.alloc(size);
  if (i % 2) out.write(`line ${i} of a synthetic file for the image bench\n`.repeat(Math.ceil(size / 48)).slice(0, size));
  else for (let o = 0; o < size; o += 32) createHash('sha256').update(`${i}:${o}`).digest().copy(out, o);
  return out;
}

function synthesize(): { entries: ImageEntry[]; bytes: number } {
  const root = { uid: 0, gid: 0 };
  const entries: ImageEntry[] = [{ path: '/', type: 'dir', mode: 0o755, ...root }];
  let bytes = 0;
  const dirs = Math.ceil(FILES / 50);
  for (let d = 0; d < dirs; d++) {
    mkdirSync(join(tree, `d${d}`), { recursive: true });
    entries.push({ path: `/d${d}`, type: 'dir', mode: 0o755, ...root });
  }
  for (let i = 0; i < FILES; i++) {
    // Mostly 4-16 KiB, every 100th file 700 kB: ~50 MB for 3,000 files.
    const size = i % 100 === 0 ? 700_000 : 4096 + ((i * 7919) % 12288);
    const rel = `d${i % dirs}/f${i}`;
    const content = bytesFor(i, size);
    writeFileSync(join(tree, rel), content);
    const sha256 = createHash('sha256').update(content).digest('hex');
    entries.push({ path: `/${rel}`, type: 'file', mode: 0o644, source: join(tree, rel), sha256, size, ...root });
    bytes += size;
  }
  return { entries, bytes };
}

const sh = (script: string): void =>
  void execFileSync('bash', ['-c', script], {
    cwd: work,
    env: { ...process.env, LC_ALL: 'C', TZ: 'UTC', MTOOLS_SKIP_CHECK: '1' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });

/** The output's sha256 (an OCI layout folder: of its files' paths and bytes), to check that a change to a writer kept every byte. */
function outputDigest(path: string): string {
  const h = createHash('sha256');
  if (!statSync(path).isDirectory()) return h.update(readFileSync(path)).digest('hex');
  for (const f of (readdirSync(path, { recursive: true }) as string[]).sort()) {
    const p = join(path, f);
    if (statSync(p).isFile()) h.update(`${f}\0`).update(readFileSync(p));
  }
  return h.digest('hex');
}

const { entries, bytes } = synthesize();
const TAR = `tar -C tree --sort=name --owner=0 --group=0 --numeric-owner --mtime=@${EPOCH}`;
// What a user would type to make each type from a folder, with the same compression settings Strata uses,
// and for a file system, the same size as Strata's image (`size`: Strata's first, untimed, image of the type).
const DIRECT: Record<string, (size: number) => string> = {
  'tar.gz': () => `${TAR} -cf - . | gzip -6n > direct.tar.gz`,
  'tar.zst': () => `${TAR} -cf - . | zstd -q -3 -T1 > direct.tar.zst`,
  'cpio.gz': () => `(cd tree && find . | sort | cpio --quiet -o -H newc -R 0:0) | gzip -9n > direct.cpio.gz`,
  ext4: (size) => `rm -f direct.ext4 && mke2fs -q -F -t ext4 -d tree -E no_copy_xattrs,root_owner=0:0 direct.ext4 ${size / 1024}k`,
  squashfs: () => `mksquashfs tree direct.squashfs -noappend -quiet -no-progress -all-root -no-xattrs -mkfs-time ${EPOCH} -all-time ${EPOCH}`,
  vfat: (size) =>
    `rm -f direct.vfat && truncate -s ${size} direct.vfat && mkfs.vfat --invariant -i 12345678 direct.vfat >/dev/null && mcopy -s -i direct.vfat tree/* ::/`,
};

const disk: DiskDescription = { table: 'gpt', partitions: [{ label: 'root', fs: 'ext4', content: { kind: 'rootfs' } }] };
type Result = Partial<PairTimes> & { strataMs: number; outputBytes: number; sha256: string };
const results: Record<string, Result> = {};
const loadBefore = loadavg().map((l) => Math.round(l * 100) / 100);
try {
  for (const w of plugins().writers.filter((w) => !ONLY || ONLY.includes(w.type))) {
    const out = join(work, `strata.${w.type}`);
    const write = () => w.write(entries, out, EPOCH, { arch: 'aarch64', disk });
    const direct = DIRECT[w.type];
    let r: Partial<PairTimes> & { strataMs: number };
    let size: number | undefined;
    // Each side's output of the run before is removed untimed (pair-times.ts, `fresh`).
    const fresh = { strata: () => rmSync(out, { recursive: true, force: true }), tool: () => rmSync(join(work, `direct.${w.type}`), { force: true }) };
    if (direct) r = await pairTimes(write, () => sh(direct((size ??= statSync(out).size))), RUNS, fresh);
    else {
      const alone = await pairTimes(write, () => undefined, RUNS, fresh);
      r = { strataMs: alone.strataMs };
    }
    const outputBytes = w.type === 'oci' ? 0 : statSync(out).size;
    const spread = r.spread ? ` (${r.spread.join('–')})` : '';
    const cpu = r.cpu ? `; CPU ${r.cpu.strataMs} ms against ${r.cpu.toolMs} ms, ratio ${r.cpu.ratio}` : '';
    process.stderr.write(`${w.type}: strata ${r.strataMs} ms, tool ${r.toolMs ?? '-'} ms, ratio ${r.ratio ?? '-'}${spread}${cpu}\n`);
    results[w.type] = { ...r, outputBytes, sha256: outputDigest(out) };
    rmSync(out, { recursive: true, force: true });
  }
  const rootfs = await benchRootfsAssembly(process.cwd(), work, RUNS);
  process.stderr.write(
    typeof rootfs === 'string'
      ? `rootfs: skipped, ${rootfs}\n`
      : `rootfs (${rootfs.image}): strata ${rootfs.strataMs} ms, tool ${rootfs.toolMs} ms, ratio ${rootfs.ratio}; CPU ratio ${rootfs.cpu.ratio}\n`,
  );
  const ratios = Object.fromEntries([
    ...(typeof rootfs === 'string' ? [] : [['rootfs', rootfs.ratio]]),
    ...Object.entries(results).map(([t, r]) => [t, r.ratio]),
  ]);
  const cpuRatios = Object.fromEntries([
    ...(typeof rootfs === 'string' ? [] : [['rootfs', rootfs.cpu.ratio]]),
    ...Object.entries(results).map(([t, r]) => [t, r.cpu?.ratio]),
  ]);
  const load = { before: loadBefore, after: loadavg().map((l) => Math.round(l * 100) / 100), cpus: cpus().length };
  console.log(
    JSON.stringify({ files: FILES, treeBytes: bytes, runs: RUNS, statistic: 'median', goalRatio: 1.1, load, ratios, cpuRatios, rootfs, results }, null, 2),
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
