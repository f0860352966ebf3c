import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { tarArchive, type TarMember } from '../../core/archive/tar-writer.js';
import { archiveProblems } from '../../core/archive/unpack-safety.js';
import { scratchDirs, strata, writeTree } from '../helpers/strata.js';

// Unpacking refuses archives whose members would land outside the work
// folder or are not plain data, naming each bad member and the archive,
// before anything is extracted. Hostile archives are written byte for byte
// by our tar writer, since real tools refuse to make most of them.

const tempDir = scratchDirs(test);
const m = (path: string, type: TarMember['type'] = 'file', extra: Partial<TarMember> & { data?: string } = {}) => ({ path, type, mode: type === 'dir' ? 0o755 : 0o644, mtime: 0, ...extra });

async function problemsOf(members: ReturnType<typeof m>[], name = 'a.tar.gz'): Promise<string[]> {
  const dir = tempDir();
  const tar = tarArchive(members);
  // gzip in-process; xz with the real tool, as upstream tarballs are made.
  writeFileSync(join(dir, name), name.endsWith('.gz') ? gzipSync(tar) : name.endsWith('.xz') ? execFileSync('xz', ['-c'], { input: tar }) : tar);
  return (await archiveProblems(join(dir, name))).map((p) => `${p.member}: ${p.reason}`);
}

test('absolute paths, .. components, escaping links, devices and fifos are each named', async () => {
  const found = await problemsOf([
    m('ok/file.txt', 'file', { data: 'fine\n' }),
    m('/etc/cron.d/evil', 'file', { data: 'x' }),
    m('ok/../../x', 'file', { data: 'x' }),
    m('etc-link', 'symlink', { linkname: '/etc' }),
    m('ok/up', 'symlink', { linkname: '../..' }),
    m('hard', 'hardlink', { linkname: '../outside' }),
    m('dev/sda', 'blockdev', { devmajor: 8, devminor: 0 }),
    m('dev/null', 'chardev', { devmajor: 1, devminor: 3 }),
    m('pipe', 'fifo'),
  ]);
  assert.equal(found, [
    "/etc/cron.d/evil: has an absolute path",
    "ok/../../x: has a '..' component",
    "etc-link: is a symlink to '/etc', outside the work folder",
    "ok/up: is a symlink to '../..', outside the work folder",
    "hard: is a hard link to '../outside', outside the work folder",
    'dev/sda: is a block device',
    'dev/null: is a character device',
    'pipe: is a fifo',
  ]);
});

test('a chain of links that each look harmless cannot climb out', async () => {
  // `a/top -> ..` is the archive's root, fine; `b -> a/top/..` looks like `a` but is the root's parent.
  const found = await problemsOf([m('a', 'dir'), m('a/top', 'symlink', { linkname: '..' }), m('b', 'symlink', { linkname: 'a/top/..' })]);
  assert.equal(found, ["b: is a symlink to 'a/top/..', outside the work folder"]);
});

test('links that stay inside, long names and xz archives are fine', async () => {
  const long = 'd/' + 'x'.repeat(150) + '.txt';
  const found = await problemsOf(
    [m('usr/lib/libz.so.1', 'file', { data: 'elf' }), m('lib', 'symlink', { linkname: 'usr/lib' }), m('usr/bin/up', 'symlink', { linkname: '../lib/libz.so.1' }), m('again', 'hardlink', { linkname: 'usr/lib/libz.so.1' }), m(long, 'file', { data: 'long' })],
    'b.tar.xz',
  );
  assert.equal(found, []);
});

test('archives made by GNU tar (gnu and pax formats) are read member by member', async () => {
  const dir = tempDir();
  const src = join(dir, 'src');
  mkdirSync(join(src, 'deep', 'y'.repeat(120)), { recursive: true });
  writeFileSync(join(src, 'deep', 'y'.repeat(120), 'z'.repeat(120)), 'data');
  symlinkSync('../deep', join(src, 'deep', 'y'.repeat(120), 'back'));
  symlinkSync('/etc/passwd', join(src, 'bad'));
  for (const format of ['gnu', 'pax']) {
    execFileSync('tar', [`--format=${format}`, '-czf', join(dir, `${format}.tar.gz`), '-C', src, '.']);
    const found = (await archiveProblems(join(dir, `${format}.tar.gz`))).map((p) => p.member);
    assert.equal(found, ['./bad'], format);
  }
});

test('a build whose archive holds hostile members fails before extracting anything, naming member, archive and recipe line', async () => {
  const dir = tempDir();
  const evil = gzipSync(tarArchive([m('evil/README', 'file', { data: 'first, harmless\n' }), m('evil/../../escaped', 'file', { data: 'x' }), m('evil/etc', 'symlink', { linkname: '/etc' }), m('evil/null', 'chardev', { devmajor: 1, devminor: 3 })]));
  writeTree(dir, {
    'layer/layer.yaml': 'name: unpackcheck\npriority: 5\n',
    'layer/recipes/evil.yaml': ['name: evil', 'version: "1.0"', 'license: MIT', 'sources:', '  - url: file://evil.tar.gz', 'vars:', '  S: ${WORKDIR}/evil', ''].join('\n'),
    'strata.yaml': 'layers: [layer]\nmirrors: []\n',
  });
  writeFileSync(join(dir, 'layer/recipes/evil.tar.gz'), evil);
  const r = await strata(['build', 'evil', '--project', dir]);
  assert.is(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stderr, 'unpack-unsafe-member');
  assert.match(r.stderr, 'recipes/evil.yaml:5:');
  assert.match(r.stderr, `refusing to unpack ${join(dir, 'layer/recipes/evil.tar.gz')}`);
  assert.match(r.stderr, "member 'evil/../../escaped' has a '..' component");
  assert.match(r.stderr, "member 'evil/etc' is a symlink to '/etc', outside the work folder");
  assert.match(r.stderr, "member 'evil/null' is a character device");
  const work = join(dir, 'build/work/qemuarm64/evil-1.0');
  assert.not.ok(existsSync(join(work, 'evil/README')), 'not even the harmless first member was extracted');
  assert.equal(readdirSync(work).filter((f) => f.startsWith('run.unpack')), [], 'the unpack script never ran');
});

test.run();
