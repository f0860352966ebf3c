import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CpioGzWriter } from '../../core/image/write-cpio-gz.js';
import { diffMembers, members } from '../../core/release/members.js';
import type { ManifestEntry } from '../../core/rootfs/manifest.js';
import { scratchDirs } from '../helpers/strata.js';

// The member listings `strata reproduce` compares: folder trees, cpio.gz
// images (read back from what Strata's own writer makes) and plain files.

const tempDir = scratchDirs(test);

async function image(dir: string, name: string, content: string): Promise<string> {
  writeFileSync(join(dir, `${name}.src`), content);
  const entries: ManifestEntry[] = [
    { path: '/', type: 'dir', mode: 0o755, uid: 0, gid: 0 },
    { path: '/dev', type: 'dir', mode: 0o755, uid: 0, gid: 0 },
    { path: '/dev/console', type: 'chardev', mode: 0o600, uid: 0, gid: 0, major: 5, minor: 1 },
    { path: '/etc', type: 'dir', mode: 0o755, uid: 0, gid: 0 },
    { path: '/etc/issue', type: 'file', mode: 0o644, uid: 0, gid: 0, source: join(dir, `${name}.src`) },
    { path: '/sh', type: 'symlink', mode: 0o777, uid: 0, gid: 0, target: 'bin/busybox' },
  ];
  const out = join(dir, `${name}.cpio.gz`);
  await new CpioGzWriter().write(entries, out, 1704067200);
  return out;
}

test('a cpio.gz image is listed member by member; one changed file is the one difference', async () => {
  const dir = tempDir();
  const a = members(await image(dir, 'a', 'hello\n'));
  const b = members(await image(dir, 'b', 'hullo\n'));
  assert.equal(
    a.map((m) => m.path),
    ['.', 'dev', 'dev/console', 'etc', 'etc/issue', 'sh'],
  );
  assert.match(a.find((m) => m.path === 'dev/console')!.what, 'chardev 0600 0:0 mtime 1704067200 5:1');
  assert.match(a.find((m) => m.path === 'sh')!.what, 'symlink 0777 0:0 mtime 1704067200 -> bin/busybox');
  const d = diffMembers(a, b);
  assert.equal(
    d.map((x) => x.path),
    ['etc/issue'],
  );
  assert.match(d[0].a!, /^file 0644 0:0 mtime 1704067200 [0-9a-f]{64} 6$/);
});

test('trees: modes, links, files on one side only, and the folder itself', () => {
  const [a, b] = [tempDir(), tempDir()];
  for (const t of [a, b]) {
    mkdirSync(join(t, 'usr/bin'), { recursive: true });
    writeFileSync(join(t, 'usr/bin/tool'), 'x');
    symlinkSync('tool', join(t, 'usr/bin/alias'));
  }
  chmodSync(join(b, 'usr/bin'), 0o700);
  chmodSync(a, 0o755);
  chmodSync(b, 0o700);
  writeFileSync(join(b, 'usr/extra'), 'y');
  const d = diffMembers(members(a), members(b));
  assert.equal(
    d.map((x) => x.path),
    ['.', 'usr/bin', 'usr/extra'],
  );
  assert.is(d[1].b, 'dir 0700');
  assert.is(d[2].a, undefined);
});

test('anything else is one member: its mode and sum', () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'f.json'), '{}');
  writeFileSync(join(dir, 'broken.cpio.gz'), 'not gzip');
  assert.equal(
    members(join(dir, 'f.json')).map((m) => m.path),
    ['.'],
  );
  assert.equal(
    members(join(dir, 'broken.cpio.gz')).map((m) => m.path),
    ['.'],
    'an unreadable image is compared whole',
  );
  assert.equal(members(join(dir, 'absent')), []);
});

test.run();
