import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { decompressed } from '../../core/archive/decompress.js';
import { debTarStream } from '../../core/archive/deb-safety.js';
import { listWhileExtracting } from '../../core/archive/extract-while-listing.js';
import { tarArchive } from '../../core/archive/tar-writer.js';
import { layerSet } from '../helpers/layer-set.js';
import { scratchDirs, strata } from '../helpers/strata.js';
import { debPackage as deb, member, type Member as M } from '../helpers/archive-members.js';

// An unpack decompresses each archive once (issue 11): the decompressed
// stream goes both to the lister that checks its members and to the tar
// that extracts it into a staging folder, at the same time; the checked
// tree is moved into place and the staging folder removed. The hostile
// archives of tests/hostile/unpack.test.ts and
// tests/build/unpack-safety.test.ts are refused the same way through it.

const tempDir = scratchDirs(test);
const m = member;
const tree = [m('pkg-1', 'dir'), m('pkg-1/README', 'file', { data: 'hello\n' }), m('pkg-1/lib', 'symlink', { linkname: 'usr/lib' })];

// Each compression the unpack knows, made with the real tool, as upstream tarballs are.
const COMPRESS: [string, (tar: Buffer) => Buffer][] = [
  ['tar', (t) => t],
  ['tar.gz', (t) => gzipSync(t)],
  ['tar.xz', (t) => execFileSync('xz', ['-c'], { input: t })],
  ['tar.bz2', (t) => execFileSync('bzip2', ['-c'], { input: t })],
  ['tar.zst', (t) => execFileSync('zstd', ['-c', '-q'], { input: t })],
];

/** A command that keeps what it reads on its standard input in `file`: it stands for the extracting tar. */
const keeping = (file: string) => ['sh', '-c', 'cat > "$1"', 'sh', file];

test('the extracting command reads every byte of the decompressed stream the listing reads', async () => {
  const dir = tempDir();
  // Padding after the end-of-archive blocks, as GNU tar's 10 KiB records have: the extractor gets it too.
  const tar = Buffer.concat([tarArchive(tree), Buffer.alloc(8192)]);
  for (const [ext, compress] of COMPRESS) {
    writeFileSync(join(dir, `a.${ext}`), compress(tar));
    const seen = join(dir, `a-${ext}.seen`);
    const { listing, extracted } = await listWhileExtracting(decompressed(join(dir, `a.${ext}`)), keeping(seen));
    assert.ok('entries' in listing && listing.entries.map((e) => e.path).join() === 'pkg-1,pkg-1/README,pkg-1/lib', ext);
    assert.ok(extracted, ext);
    assert.ok(readFileSync(seen).equals(tar), `${ext}: the extractor read the tar stream`);
  }
  writeFileSync(join(dir, 'p.deb'), deb(tempDir(), tree));
  const { listing } = await listWhileExtracting(debTarStream(join(dir, 'p.deb')), keeping(join(dir, 'deb.seen')));
  assert.equal('entries' in listing && listing.entries.map((e) => e.path), ['pkg-1', 'pkg-1/README', 'pkg-1/lib']);
  assert.ok(readFileSync(join(dir, 'deb.seen')).equals(execFileSync('dpkg-deb', ['--fsys-tarfile', join(dir, 'p.deb')])), 'the extractor read what dpkg-deb streams out');
});

/** A tar of one member whose header declares `size` bytes and no data follows: a bomb's first header, without the bomb. */
function declaring(path: string, size: number): Buffer {
  const h = Buffer.from(tarArchive([m(path, 'file', { data: 'x' })]).subarray(0, 512));
  h.write(size.toString(8).padStart(11, '0') + '\0', 124, 'ascii');
  h.fill(' ', 148, 156);
  const sum = h.reduce((a, b) => a + b, 0);
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'ascii');
  return h;
}

test('an archive bomb stops the listing at the member that passes the limit, and the extractor with it', async () => {
  const dir = tempDir();
  // A header that declares 8 GiB and no data after it: read to its end, it would be "unreadable", not too large.
  writeFileSync(join(dir, 'bomb.tar.gz'), gzipSync(Buffer.concat([tarArchive([m('small', 'file', { data: 'x' })]).subarray(0, 1024), declaring('huge', 8 * 2 ** 30 - 1)])));
  const { listing, extracted } = await listWhileExtracting(decompressed(join(dir, 'bomb.tar.gz')), ['tar', '-x', '-f', '-', '-C', dir], { maxBytes: 2 ** 20 });
  assert.ok('entries' in listing && listing.overLimit, JSON.stringify(listing));
  assert.not.ok(extracted);
});

test('a corrupt archive is not extracted: the decompressor fails, or the stream ends inside a member', async () => {
  const dir = tempDir();
  const big = tarArchive([m('pkg-1/data', 'file', { data: Buffer.alloc(1 << 20, 7) })]);
  const xz = execFileSync('xz', ['-c'], { input: big });
  writeFileSync(join(dir, 'cut.tar.xz'), xz.subarray(0, xz.length - 40));
  const failed = await listWhileExtracting(decompressed(join(dir, 'cut.tar.xz')), keeping(join(dir, 'seen'))).then(
    (l) => ('unreadable' in l.listing ? l.listing.unreadable.reason : `listed ${JSON.stringify(l)}`),
    (e: Error) => e.message,
  );
  assert.match(failed, /xz -dc failed|cannot be read/);
});

test('a stopped build stops the listing and the extracting tar mid-stream', async () => {
  const dir = tempDir();
  const tar = tarArchive([m('pkg-1', 'dir'), m('pkg-1/first', 'file', { data: 'first\n' }), m('pkg-1/second', 'file', { data: Buffer.alloc(1 << 20, 1) })]);
  const stop = new AbortController();
  let waiting: (() => void) | undefined;
  // The first member, then a stream that waits, as a slow decompressor would, until the build is stopped.
  async function* halfThenWait() {
    yield tar.subarray(0, 2048);
    await new Promise<void>((r) => (waiting = r));
    yield tar.subarray(2048);
  }
  const running = listWhileExtracting(halfThenWait(), ['tar', '-x', '-f', '-', '-C', dir], { abort: stop.signal });
  while (!waiting) await new Promise((r) => setTimeout(r, 10));
  stop.abort();
  waiting();
  const end = await running.then(
    () => 'finished',
    (e: Error) => e.message,
  );
  assert.is(end, 'stopped');
  assert.not.ok(existsSync(join(dir, 'pkg-1/second')), 'tar did not go on to the rest');
});

const recipe = (name: string, sources: string[], vars = '') =>
  `name: ${name}\nversion: "1"\nlicense: MIT\nsources:\n${sources.map((s) => `  - url: file://${s}\n`).join('')}vars:\n  S: \${WORKDIR}/pkg-1\n${vars}`;

test('a build moves the trees it checked into place, reading no archive twice, and removes the staging folder', async () => {
  const s = layerSet(tempDir, { core: { 'recipes/once.yaml': recipe('once', ['src.tar.xz', 'extra.tar', 'p.deb']) } });
  const files = join(s.layer('core'), 'recipes/once');
  mkdirSync(files, { recursive: true });
  writeFileSync(join(files, 'src.tar.xz'), execFileSync('xz', ['-c'], { input: tarArchive(tree) }));
  writeFileSync(join(files, 'extra.tar'), tarArchive([m('pkg-1/extra.txt', 'file', { data: 'plain tar\n' })]));
  writeFileSync(join(files, 'p.deb'), deb(tempDir(), [m('./', 'dir'), m('./usr/lib/tool', 'symlink', { linkname: '/usr/bin/tool' }), m('./usr/bin/tool', 'file', { data: 'tool\n', mode: 0o755 })]));
  // As root the task runs as an unprivileged uid (docs/security.md), which
  // cannot read these: the build passes only if the script reads none of
  // them, moving the trees Strata staged. extra.tar goes into pkg-1, which
  // src.tar.xz made: no rename can merge it, so the script extracts that
  // archive itself, and it stays readable.
  const asRoot = process.getuid?.() === 0;
  for (const f of ['src.tar.xz', 'p.deb']) chmodSync(join(files, f), 0o600);
  const r = await strata(['build', 'once'], { cwd: s.dir });
  assert.is(r.code, 0, r.stdout + r.stderr);
  const work = join(s.dir, 'build/work/board/once-1');
  assert.is(readFileSync(join(work, 'pkg-1/README'), 'utf8'), 'hello\n');
  assert.is(readFileSync(join(work, 'pkg-1/extra.txt'), 'utf8'), 'plain tar\n');
  assert.is(readFileSync(join(work, 'p/usr/bin/tool'), 'utf8'), 'tool\n');
  assert.not.ok(existsSync(join(work, '.strata-unpack')), 'the staging folder is gone');
  const script = readFileSync(join(work, 'run.unpack'), 'utf8');
  assert.match(script, /if \[ -d '[^']*\/\.strata-unpack\/0' \] && strata_fresh '[^']*\/\.strata-unpack\/0' '[^']*\/once-1'; then\n\s+strata_move /);
  assert.match(script, /else\n\s+rm -rf '[^']*\/\.strata-unpack\/2'\n\s+dpkg-deb -x '[^']*p\.deb' '[^']*\/once-1\/p'\nfi/);
  if (!asRoot) console.log('  (not root: the task runs as this user and can read the archives, so this build does not show that none was read twice)');
  // By hand, with nothing staged, the same script extracts the archives themselves.
  for (const f of ['src.tar.xz', 'p.deb']) chmodSync(join(files, f), 0o644);
  execFileSync('rm', ['-rf', join(work, 'pkg-1'), join(work, 'p')]);
  execFileSync('/bin/sh', [join(work, 'run.unpack')], { cwd: work, stdio: 'ignore' });
  assert.is(readFileSync(join(work, 'pkg-1/README'), 'utf8'), 'hello\n');
  assert.is(readFileSync(join(work, 'p/usr/bin/tool'), 'utf8'), 'tool\n');
});

// Hostile members, each in one of the packagings the unpack decompresses (a
// package tree is rooted, but the rules below hold in it too).
const HOSTILE: { name: string; ext: string; members: M[]; said: string }[] = [
  { name: 'dotdot', ext: 'deb', members: [m('pkg-1/../../x', 'file', { data: 'x' })], said: "member 'pkg-1/../../x' has a '..' component" },
  { name: 'absolute', ext: 'tar.gz', members: [m('/etc/evil', 'file', { data: 'x' })], said: "member '/etc/evil' has an absolute path" },
  {
    name: 'through',
    ext: 'tar.bz2',
    members: [m('out', 'symlink', { linkname: '../../..' }), m('out/evil', 'file', { data: 'x' })],
    said: "member 'out/evil' is written through the symlink 'out'",
  },
  { name: 'device', ext: 'deb', members: [m('null', 'chardev', { devmajor: 1, devminor: 3 })], said: "member 'null' is a character device" },
  { name: 'hardout', ext: 'tar', members: [m('h', 'hardlink', { linkname: '../../../escaped' })], said: "member 'h' is a hard link to '../../../escaped', outside the work folder" },
  // The staging folder belongs to Strata: a member there would be moved into place unchecked.
  { name: 'copies', ext: 'tar.xz', members: [m('.strata-unpack/0-x.tar', 'file', { data: 'x' })], said: "member '.strata-unpack/0-x.tar' lands in '.strata-unpack'" },
  {
    name: 'copieslink',
    ext: 'tar.zst',
    members: [m('c', 'symlink', { linkname: '.strata-unpack' }), m('c/0-x.tar', 'file', { data: 'x' })],
    said: "member 'c/0-x.tar' lands in '.strata-unpack'",
  },
  { name: 'copieshard', ext: 'tar.xz', members: [m('h', 'hardlink', { linkname: '.strata-unpack/0-x.tar' })], said: "member 'h' is a hard link into '.strata-unpack'" },
];

test('hostile archives are refused, in every packaging, with nothing extracted and no staging folder left', async () => {
  const kinds = new Map<string, (members: M[]) => Buffer>([...COMPRESS.map(([ext, c]): [string, (x: M[]) => Buffer] => [ext, (x) => c(tarArchive(x))]), ['deb', (x) => deb(tempDir(), x)]]);
  assert.equal(new Set(HOSTILE.map((h) => h.ext)), new Set(kinds.keys()), 'every packaging is met');
  const cases = HOSTILE.map((h) => ({ ...h, id: `${h.name}-${h.ext.replace('.', '')}` }));
  const s = layerSet(tempDir, { core: Object.fromEntries(cases.map((c) => [`recipes/${c.id}.yaml`, recipe(c.id, [`a.${c.ext}`])])) });
  for (const c of cases) {
    const files = join(s.layer('core'), `recipes/${c.id}`);
    mkdirSync(files, { recursive: true });
    writeFileSync(join(files, `a.${c.ext}`), kinds.get(c.ext)!([m('pkg-1/first', 'file', { data: 'harmless\n' }), ...c.members]));
  }
  for (const c of cases) {
    const r = await strata(['build', c.id], { cwd: s.dir });
    assert.is(r.code, 1, `${c.id}: ${r.stdout}${r.stderr}`);
    assert.match(r.stderr, `error[unpack-unsafe-member]: ${c.id}: refusing to unpack`, c.id);
    assert.match(r.stderr, c.said, c.id);
    const work = join(s.dir, `build/work/board/${c.id}-1`);
    assert.equal(readdirSync(work).filter((f) => !['sysroot', '.strata-workdir'].includes(f) && !f.startsWith('log.')), [], `${c.id}: nothing extracted, nothing staged, no script`);
  }
  // What escaped the staging folder would be here, beside the work folders (the staging tar runs sandboxed).
  assert.equal(readdirSync(join(s.dir, 'build/work/board')).filter((f) => !f.endsWith('-1')), [], 'nothing escaped');
});

test('a bomb is refused at the member that passes UNPACK_MAX_SIZE, with nothing extracted or staged', async () => {
  const s = layerSet(tempDir, { core: { 'recipes/bomb.yaml': recipe('bomb', ['bomb.tar.xz'], '  UNPACK_MAX_SIZE: 4M\n') } });
  const files = join(s.layer('core'), 'recipes/bomb');
  mkdirSync(files, { recursive: true });
  const tar = declaring('pkg-1/huge', 8 * 2 ** 30 - 1);
  writeFileSync(join(files, 'bomb.tar.xz'), execFileSync('xz', ['-c'], { input: tar }));
  const r = await strata(['build', 'bomb'], { cwd: s.dir });
  assert.is(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stderr, 'error[unpack-too-large]: bomb: its archives would write at least 8192 MiB, more than UNPACK_MAX_SIZE (4M)');
  assert.not.ok(existsSync(join(s.dir, 'build/work/board/bomb-1/.strata-unpack')));
  assert.not.ok(existsSync(join(s.dir, 'build/work/board/bomb-1/pkg-1')));
});

test.run();
