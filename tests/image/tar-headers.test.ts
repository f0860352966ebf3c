import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BLOCK, tarArchive, type TarMember } from '../../core/archive/tar-writer.js';
import { scratchDirs } from '../helpers/strata.js';

// Tar headers are one copy of a template of the fields members share (type,
// mode, owner, time, devices) plus the name, size, link and checksum
// (core/archive/tar-writer.ts). Members that take turns in every one of
// those fields, so a template is kept, replaced and taken again: each
// header's checksum recomputed here as POSIX defines it, and GNU tar reading
// back every field.

const tempDir = scratchDirs(test);

const members: (TarMember & { data?: string })[] = [
  { path: 'a', type: 'file', mode: 0o644, mtime: 1_700_000_000, data: 'x' },
  { path: 'b', type: 'file', mode: 0o644, mtime: 1_700_000_000, data: 'yy' },
  { path: 'd/', type: 'dir', mode: 0o755, mtime: 1_700_000_000 },
  { path: 'c', type: 'file', mode: 0o600, mtime: 1_700_000_000, data: '' },
  { path: 'e', type: 'file', mode: 0o644, mtime: 1_600_000_000, data: 'z'.repeat(1000) },
  { path: 'f', type: 'file', mode: 0o644, mtime: 1_700_000_000, uid: 1000, gid: 100, data: 'owned' },
  { path: 'g', type: 'file', mode: 0o644, mtime: 1_700_000_000, uid: 1000, gid: 101, data: 'owned too' },
  { path: 'h', type: 'file', mode: 0o644, mtime: 1_700_000_000, uid: 1000, gid: 101, uname: 'me', gname: 'us', data: 'named' },
  { path: 'i', type: 'file', mode: 0o644, mtime: 1_700_000_000, data: 'root again' },
  { path: 'l', type: 'symlink', mode: 0o777, mtime: 1_700_000_000, linkname: 'a' },
  { path: 'm', type: 'symlink', mode: 0o777, mtime: 1_700_000_000, linkname: 'a-much-longer-target/'.repeat(4) },
  { path: 'tty', type: 'chardev', mode: 0o620, mtime: 1_700_000_000, devmajor: 4, devminor: 1 },
  { path: 'tty2', type: 'chardev', mode: 0o620, mtime: 1_700_000_000, devmajor: 4, devminor: 2 },
  { path: 'sda', type: 'blockdev', mode: 0o660, mtime: 1_700_000_000, devmajor: 8, devminor: 0 },
  { path: 'n'.repeat(100), type: 'file', mode: 0o644, mtime: 1_700_000_000, data: 'a name of exactly 100 bytes' },
  { path: 'p/'.repeat(60) + 'deep', type: 'file', mode: 0o644, mtime: 1_700_000_000, data: 'a pax path' },
  { path: 'd2/', type: 'dir', mode: 0o700, mtime: 1_700_000_001 },
  { path: 'last', type: 'file', mode: 0o644, mtime: 1_700_000_000, data: 'back to the first template' },
];

test('every header checksum is right, and GNU tar reads back each member as written', () => {
  const archive = tarArchive(members);
  let headers = 0;
  for (let o = 0; o + BLOCK <= archive.length;) {
    const h = archive.subarray(o, o + BLOCK);
    if (h.every((b) => b === 0)) break;
    let sum = 0;
    for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i];
    assert.is(parseInt(h.toString('latin1', 148, 154), 8), sum, `checksum of header ${headers}`);
    assert.is(h.toString('latin1', 154, 156), '\0 ');
    const size = parseInt(h.toString('latin1', 124, 135), 8);
    o += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
    headers++;
  }
  assert.is(headers, members.length + 1, 'one header per member, and the pax header of the long path');

  const file = join(tempDir('strata-tar-headers-'), 'a.tar');
  writeFileSync(file, archive);
  const listed = execFileSync('tar', ['-tvf', file, '--numeric-owner', '--full-time'], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC', LC_ALL: 'C' } })
    .trim()
    .split('\n');
  assert.is(listed.length, members.length);
  const modes = { file: '-', dir: 'd', symlink: 'l', chardev: 'c', blockdev: 'b' } as Record<string, string>;
  members.forEach((m, i) => {
    const line = listed[i];
    const perms = line.split(' ')[0];
    assert.is(perms[0], modes[m.type], line);
    assert.is(parseInt(perms.slice(1).replace(/[^-]/g, '1').replace(/-/g, '0'), 2), m.mode, line);
    assert.ok(line.includes(` ${m.uid ?? 0}/${m.gid ?? 0} `), line);
    assert.ok(line.includes(new Date(m.mtime * 1000).toISOString().slice(0, 19).replace('T', ' ')), line);
    assert.ok(line.includes(` ${m.path}`), line);
    if (m.data !== undefined) assert.ok(line.includes(` ${m.data.length} `), line);
    if (m.linkname) assert.ok(line.endsWith(` -> ${String(m.linkname)}`), line);
    if (m.devmajor !== undefined) assert.ok(line.includes(` ${m.devmajor},${m.devminor} `), line);
  });
});

test.run();
