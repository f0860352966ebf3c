import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { debProblems } from '../../core/archive/deb-safety.js';
import { tarArchive, type TarMember } from '../../core/archive/tar-writer.js';
import { scratchDirs } from '../helpers/strata.js';

// A .deb's file tree is checked before dpkg-deb extracts it. It is rooted:
// absolute symlinks (normal in packages) are allowed, but nothing may be
// written through one, and the usual rules (.., devices) hold. The
// packages are assembled for real with `ar`, as dpkg-deb --build would.

const tempDir = scratchDirs(test);
const m = (path: string, type: TarMember['type'] = 'file', extra: Partial<TarMember> & { data?: string } = {}) => ({ path, type, mode: type === 'dir' ? 0o755 : 0o644, mtime: 0, ...extra });

function deb(members: ReturnType<typeof m>[]): string {
  const dir = tempDir('strata-deb-');
  writeFileSync(join(dir, 'debian-binary'), '2.0\n');
  writeFileSync(join(dir, 'control.tar.gz'), gzipSync(tarArchive([m('./control', 'file', { data: 'Package: t\nVersion: 1\nArchitecture: all\nMaintainer: t <t@t>\nDescription: t\n' })])));
  writeFileSync(join(dir, 'data.tar.gz'), gzipSync(tarArchive(members)));
  execFileSync('ar', ['rc', join(dir, 't.deb'), 'debian-binary', 'control.tar.gz', 'data.tar.gz'], { cwd: dir });
  return join(dir, 't.deb');
}
const problems = async (members: ReturnType<typeof m>[]) => (await debProblems(deb(members))).map((p) => `${p.member}: ${p.reason}`);

test('a package with absolute symlinks, as kernel packages have, is accepted', async () => {
  assert.equal(
    await problems([m('./lib/', 'dir'), m('./lib/modules/6.1/build', 'symlink', { linkname: '/usr/src/linux-headers-6.1' }), m('./boot/vmlinuz', 'file', { data: 'kernel' }), m('./usr/lib/x', 'symlink', { linkname: '../../boot/vmlinuz' })]),
    [],
  );
});

test('writing through an absolute symlink, climbing out, and devices are refused, each member named', async () => {
  assert.equal(
    await problems([
      m('./conf', 'symlink', { linkname: '/etc' }),
      m('./conf/cron.d/evil', 'file', { data: 'x' }),
      m('./up', 'symlink', { linkname: '../../..' }),
      m('./usr/../../x', 'file', { data: 'x' }),
      m('./dev/sda', 'blockdev', { devmajor: 8, devminor: 0 }),
    ]),
    [
      "./conf/cron.d/evil: is written through the symlink 'conf' (to '/etc'), which leads out of the work folder",
      "./up: is a symlink to '../../..', outside the work folder",
      "./usr/../../x: has a '..' component",
      './dev/sda: is a block device',
    ],
  );
});

test('a file that is not a package is an error, not a pass', async () => {
  const dir = tempDir('strata-deb-');
  writeFileSync(join(dir, 'bad.deb'), 'not an ar archive');
  try {
    await debProblems(join(dir, 'bad.deb'));
    assert.unreachable('should throw');
  } catch (e) {
    assert.match((e as Error).message, 'dpkg-deb --fsys-tarfile');
  }
});

test.run();
