import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { tarArchive, type TarMember } from '../../core/archive/tar-writer.js';

// Archive members and packages for the unpack tests (tests/build,
// tests/hostile): one way to write them down, so the tests read alike.

/** A tar member, with its bytes when it is a file. */
export type Member = TarMember & { data?: Buffer | string };

/** A member of `type` at `path`: mode 0755 for a folder, 0644 otherwise, time 0, unless `extra` says. */
export const member = (path: string, type: TarMember['type'] = 'file', extra: Partial<Member> = {}): Member => ({
  path,
  type,
  mode: type === 'dir' ? 0o755 : 0o644,
  mtime: 0,
  ...extra,
});

/** A .deb (ar of debian-binary, control.tar.gz, data.tar.xz) whose data holds `members`, made in `dir`. */
export function debPackage(dir: string, members: Member[]): Buffer {
  const control = member('./control', 'file', { data: 'Package: t\nVersion: 1\nArchitecture: all\nMaintainer: t <t@t>\nDescription: t\n' });
  writeFileSync(join(dir, 'debian-binary'), '2.0\n');
  writeFileSync(join(dir, 'control.tar.gz'), gzipSync(tarArchive([control])));
  writeFileSync(join(dir, 'data.tar.xz'), execFileSync('xz', ['-c'], { input: tarArchive(members) }));
  execFileSync('ar', ['rc', join(dir, 't.deb'), 'debian-binary', 'control.tar.gz', 'data.tar.xz'], { cwd: dir });
  return readFileSync(join(dir, 't.deb'));
}
