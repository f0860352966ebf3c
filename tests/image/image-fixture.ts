import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ImageEntry } from '../../core/image/image-tree.js';

// One small tree for every image writer's tests: owners that are not root,
// modes the host files do not have, a device node, a fifo, a symlink, a long
// name, a name with a space, an empty file and one larger than a block.

export const EPOCH = 1704067200; // 2024-01-01 00:00:00 UTC
export const HELLO = '#!/bin/sh\necho hello from the image\n';
export const BIG = Buffer.alloc(300_000, 'strata-');
export const LONG_NAME = 'a-file-name-that-is-longer-than-one-hundred-bytes-so-tar-needs-a-pax-header-to-hold-it-all-0123456789.txt';

export function fixtureTree(dir: string): ImageEntry[] {
  mkdirSync(join(dir, 'src'), { recursive: true });
  writeFileSync(join(dir, 'src/hello'), HELLO);
  writeFileSync(join(dir, 'src/big'), BIG);
  writeFileSync(join(dir, 'src/empty'), '');
  chmodSync(join(dir, 'src/hello'), 0o600); // the tree's mode counts, never the host file's
  const root = { uid: 0, gid: 0 };
  return [
    { path: '/', type: 'dir', mode: 0o755, ...root },
    { path: '/bin', type: 'dir', mode: 0o755, ...root },
    { path: '/bin/hello', type: 'file', mode: 0o4755, source: join(dir, 'src/hello'), ...root },
    { path: '/bin/sh', type: 'symlink', mode: 0o777, target: 'hello', ...root },
    { path: '/dev', type: 'dir', mode: 0o755, ...root },
    { path: '/dev/console', type: 'chardev', mode: 0o600, major: 5, minor: 1, ...root },
    { path: '/dev/sda', type: 'blockdev', mode: 0o660, major: 8, minor: 0, uid: 0, gid: 6 },
    { path: '/dev/initctl', type: 'fifo', mode: 0o600, ...root },
    { path: '/etc', type: 'dir', mode: 0o755, ...root },
    { path: '/etc/motd', type: 'file', mode: 0o644, content: 'welcome\n', ...root },
    { path: '/etc/empty', type: 'file', mode: 0o640, source: join(dir, 'src/empty'), uid: 0, gid: 42 },
    { path: `/etc/${LONG_NAME}`, type: 'file', mode: 0o644, content: 'long\n', ...root },
    { path: '/home', type: 'dir', mode: 0o755, ...root },
    { path: '/home/user', type: 'dir', mode: 0o750, uid: 1000, gid: 1000, mtime: EPOCH - 3600 },
    { path: '/home/user/big file', type: 'file', mode: 0o600, source: join(dir, 'src/big'), uid: 1000, gid: 1000 },
    { path: '/tmp', type: 'dir', mode: 0o1777, ...root, mtime: EPOCH + 999 },
  ];
}
