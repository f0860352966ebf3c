import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { tarArchive } from '../../core/archive/tar-writer.js';
import { sandboxUid } from '../../core/exec/sandbox.js';
import { layerSet } from '../helpers/layer-set.js';
import { scratchDirs, strata } from '../helpers/strata.js';
import { debPackage as deb, member, type Member as M } from '../helpers/archive-members.js';

// Strata extracts each archive into a staging folder while it checks it,
// then the unpack script moves the checked tree into place: by rename where
// none of its top-level names is taken, else by extracting the archive
// itself. Whichever way, the work folder must end as `tar -x` into it would
// leave it, which is what the same script does run by hand (nothing staged):
// each case below is built, then reset to the same starting state and
// unpacked by hand, and the two trees compared: types, modes, times,
// contents, link targets, hard links.

const tempDir = scratchDirs(test);
const m = (path: string, type?: M['type'], extra: Partial<M> = {}): M => member(path, type, { mtime: 1000, ...extra });
const pkg = [
  m('pkg-1', 'dir'),
  m('pkg-1/README', 'file', { data: 'new\n' }),
  m('pkg-1/bin', 'dir', { mode: 0o750 }),
  m('pkg-1/bin/tool', 'file', { data: '#!/bin/sh\n', mode: 0o775 }),
  m('pkg-1/bin/same', 'hardlink', { linkname: 'pkg-1/bin/tool' }),
  m('pkg-1/lib', 'symlink', { linkname: 'bin' }),
];

const packed: Record<string, (members: M[]) => Buffer> = {
  tar: (x) => tarArchive(x),
  'tar.gz': (x) => gzipSync(tarArchive(x)),
  'tar.xz': (x) => execFileSync('xz', ['-c'], { input: tarArchive(x) }),
  'tar.bz2': (x) => execFileSync('bzip2', ['-c'], { input: tarArchive(x) }),
  deb: (x) => deb(tempDir(), x),
};

interface Case {
  readonly name: string;
  readonly S: string;
  readonly sources: { file: string; members: M[] }[];
  /** What the work folder holds before the unpack (an earlier run's tree, the recipe's own files). */
  readonly before?: (work: string) => void;
  /** Every archive's tree is renamed into place: the script reads none of them (shown as root, where it cannot). */
  readonly renamed?: boolean;
}

const CASES: Case[] = [
  { name: 'fresh', S: 'pkg-1', sources: [{ file: 'src.tar.xz', members: pkg }], renamed: true },
  { name: 'plain', S: 'pkg-1', sources: [{ file: 'src.tar', members: pkg }], renamed: true },
  {
    name: 'twointoone',
    S: 'pkg-1',
    sources: [
      { file: 'a.tar.gz', members: pkg },
      { file: 'b.tar.bz2', members: [m('pkg-1', 'dir'), m('pkg-1/README', 'file', { data: 'second\n' }), m('pkg-1/b.txt', 'file', { data: 'b\n' })] },
    ],
  },
  {
    // S is not the archive's folder, so the script does not remove the last run's tree: the archive lands on it.
    name: 'rerun',
    S: 'src',
    sources: [{ file: 'src.tar.xz', members: pkg }],
    before: (w) => {
      mkdirSync(join(w, 'pkg-1/bin'), { recursive: true });
      writeFileSync(join(w, 'pkg-1/README'), 'old\n');
      writeFileSync(join(w, 'pkg-1/kept.txt'), 'from the last run\n');
      writeFileSync(join(w, 'pkg-1/bin/tool'), 'old tool\n');
    },
  },
  {
    name: 'loose',
    S: '',
    sources: [{ file: 'loose.tar.gz', members: [m('Makefile', 'file', { data: 'all:\n' }), m('doc', 'dir'), m('doc/x', 'file', { data: 'x\n' })] }],
    before: (w) => writeFileSync(join(w, 'Makefile'), 'the recipe wrote this\n'),
  },
  {
    // A link already in the work folder, inside it: tar writes through it, the check allows it.
    name: 'throughlink',
    S: 'src',
    sources: [{ file: 'l.tar.xz', members: [m('lnk/x', 'file', { data: 'through\n' })] }],
    before: (w) => {
      mkdirSync(join(w, 'real'));
      symlinkSync('real', join(w, 'lnk'));
    },
  },
  { name: 'debfresh', S: 'p', sources: [{ file: 'p.deb', members: [m('./', 'dir'), m('./usr', 'dir'), m('./usr/bin', 'dir'), m('./usr/bin/t', 'file', { data: 't\n', mode: 0o755 })] }], renamed: true },
  {
    name: 'debrerun',
    S: 'src',
    sources: [{ file: 'p.deb', members: [m('./', 'dir'), m('./usr', 'dir'), m('./usr/bin', 'dir'), m('./usr/bin/t', 'file', { data: 't\n', mode: 0o755 })] }],
    before: (w) => {
      mkdirSync(join(w, 'p/usr/bin'), { recursive: true });
      writeFileSync(join(w, 'p/usr/bin/t'), 'old\n');
      writeFileSync(join(w, 'p/usr/bin/other'), 'kept\n');
    },
  },
];

// Strata's own, and what the tasks after unpack make (install's image, package's packages).
const OURS = new Set(['sysroot', '.strata-workdir', 'image', 'packages']);

/** The work folder as `tar -x` leaves it, one line per entry; times set now (a folder tar made for a member) are all `now`. */
function snapshot(work: string): string[] {
  const lines: string[] = [];
  const inodes = new Map<number, string>();
  const walk = (dir: string, rel: string) => {
    for (const name of readdirSync(dir).sort()) {
      if (!rel && (OURS.has(name) || name.startsWith('run.') || name.startsWith('log.'))) continue;
      const p = join(dir, name);
      const r = rel ? `${rel}/${name}` : name;
      const st = lstatSync(p);
      const time = st.mtimeMs < 1e12 ? String(st.mtimeMs) : 'now';
      const what = st.isSymbolicLink()
        ? `-> ${readlinkSync(p)}`
        : st.isFile()
          ? `${createHash('sha256').update(readFileSync(p)).digest('hex').slice(0, 12)} links ${st.nlink} ${st.nlink > 1 ? `same as ${inodes.get(st.ino) ?? (inodes.set(st.ino, r), r)}` : ''}`
          : 'dir';
      lines.push(`${r} ${(st.mode & 0o7777).toString(8)} ${time} ${what}`);
      if (st.isDirectory()) walk(p, r);
    }
  };
  walk(work, '');
  return lines;
}

test('a staged tree moved into place is what tar -x into the work folder gives, in every case', async () => {
  const recipe = (c: Case) =>
    `name: ${c.name}\nversion: "1"\nlicense: MIT\nsources:\n${c.sources.map((s) => `  - url: file://${s.file}\n`).join('')}vars:\n  S: \${WORKDIR}${c.S ? `/${c.S}` : ''}\n`;
  const s = layerSet(tempDir, { core: Object.fromEntries(CASES.map((c) => [`recipes/${c.name}.yaml`, recipe(c)])) });
  const asRoot = process.getuid?.() === 0;
  for (const c of CASES) {
    const files = join(s.layer('core'), `recipes/${c.name}`);
    mkdirSync(files, { recursive: true });
    for (const src of c.sources) writeFileSync(join(files, src.file), packed[src.file.replace(/^[^.]*\./, '')](src.members));
    const work = join(s.dir, `build/work/board/${c.name}-1`);
    mkdirSync(work, { recursive: true });
    c.before?.(work);
    // Unreadable to the sandbox's uid as root: the build passes only if the script reads none of them.
    if (c.renamed) for (const src of c.sources) chmodSync(join(files, src.file), 0o600);
    const r = await strata(['build', c.name], { cwd: s.dir });
    assert.is(r.code, 0, `${c.name}: ${r.stdout}${r.stderr}`);
    assert.not.ok(existsSync(join(work, '.strata-unpack')), `${c.name}: nothing staged is left`);
    const built = snapshot(work);
    // The same start, unpacked by hand by the same script.
    for (const src of c.sources) chmodSync(join(files, src.file), 0o644);
    for (const name of readdirSync(work)) if (!OURS.has(name) && !name.startsWith('run.') && !name.startsWith('log.')) execFileSync('rm', ['-rf', join(work, name)]);
    c.before?.(work);
    if (asRoot) execFileSync('chown', ['-R', `${sandboxUid()}:${sandboxUid()}`, work]);
    execFileSync('/bin/sh', [join(work, 'run.unpack')], { cwd: work, stdio: 'ignore' });
    assert.equal(built, snapshot(work), c.name);
  }
  if (!asRoot) console.log('  (not root: the task runs as this user and can read the archives, so this does not show that renamed trees were not extracted again)');
});

test('a staging folder left by a killed build is removed, not moved into place', async () => {
  const s = layerSet(tempDir, { core: { 'recipes/killed.yaml': 'name: killed\nversion: "1"\nlicense: MIT\nsources:\n  - url: file://src.tar.gz\nvars:\n  S: ${WORKDIR}/pkg-1\n' } });
  mkdirSync(join(s.layer('core'), 'recipes/killed'), { recursive: true });
  writeFileSync(join(s.layer('core'), 'recipes/killed/src.tar.gz'), packed['tar.gz'](pkg));
  const work = join(s.dir, 'build/work/board/killed-1');
  // What a build killed mid-unpack leaves: a half-extracted, unchecked tree.
  mkdirSync(join(work, '.strata-unpack/0/pkg-1'), { recursive: true });
  writeFileSync(join(work, '.strata-unpack/0/pkg-1/unchecked'), 'x');
  writeFileSync(join(work, '.strata-unpack/0/elsewhere'), 'x');
  const r = await strata(['build', 'killed'], { cwd: s.dir });
  assert.is(r.code, 0, r.stdout + r.stderr);
  assert.ok(existsSync(join(work, 'pkg-1/README')));
  assert.not.ok(existsSync(join(work, 'pkg-1/unchecked')));
  assert.not.ok(existsSync(join(work, 'elsewhere')));
  assert.not.ok(existsSync(join(work, '.strata-unpack')));
});

test.run();
