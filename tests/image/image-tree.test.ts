import { test } from 'uvu';
import { createHash } from 'node:crypto';
import * as assert from 'uvu/assert';
import { ImageTreeError, imageTree, treeDigest, type ImageEntry } from '../../core/image/image-tree.js';
import { stableHex32, stableUuid } from '../../core/image/stable-id.js';

// The checked input every writer takes: hostile entries are refused with a
// message naming the path; times are clamped; order does not matter.

const E = 1704067200;
const root: ImageEntry = { path: '/', type: 'dir', mode: 0o755, uid: 0, gid: 0 };
const etc: ImageEntry = { path: '/etc', type: 'dir', mode: 0o755, uid: 0, gid: 0 };

const BAD: [string, ImageEntry[], RegExp][] = [
  ['relative path', [{ ...etc, path: 'etc' }], /'etc': a path must be absolute/],
  ['dot-dot', [etc, { ...etc, path: '/etc/../x' }], /'\/etc\/..\/x'/],
  ['trailing slash', [{ ...etc, path: '/etc/' }], /normalized/],
  ['double slash', [{ ...etc, path: '//etc' }], /normalized/],
  ['newline in a name', [{ ...etc, path: '/e\ntc' }], /newline/],
  ['listed twice', [etc, etc], /'\/etc' is listed twice/],
  ['file without bytes', [{ path: '/f', type: 'file', mode: 0o644, uid: 0, gid: 0 }], /'\/f' has neither a source file nor content/],
  ['symlink without target', [{ path: '/l', type: 'symlink', mode: 0o777, uid: 0, gid: 0 }], /symlink '\/l' has no target/],
  ['device without numbers', [{ path: '/d', type: 'chardev', mode: 0o600, uid: 0, gid: 0, major: 1 }], /'\/d' needs major and minor/],
  ['missing parent', [{ path: '/usr/bin', type: 'dir', mode: 0o755, uid: 0, gid: 0 }], /'\/usr\/bin' has no parent directory entry '\/usr'/],
  [
    'parent is a file',
    [
      { path: '/f', type: 'file', mode: 0o644, uid: 0, gid: 0, content: 'x' },
      { path: '/f/g', type: 'file', mode: 0o644, uid: 0, gid: 0, content: 'y' },
    ],
    /'\/f\/g' is under '\/f', which is a file/,
  ],
  ['root not a folder', [{ path: '/', type: 'file', mode: 0o644, uid: 0, gid: 0, content: 'x' }], /root '\/' must be a directory/],
  // Owners every format holds; -1 (2^32 - 1) is chown's "unchanged", not an owner.
  ['negative uid', [{ ...etc, uid: -1 }], /'\/etc': owner -1:0 is not a uid:gid from 0 to 4294967294/],
  ['uid of 2^32 - 1', [{ ...etc, uid: 2 ** 32 - 1 }], /owner 4294967295:0 is not/],
  ['gid over 32 bits', [{ ...etc, gid: 2 ** 32 }], /owner 0:4294967296 is not/],
  ['fractional uid', [{ ...etc, uid: 1.5 }], /owner 1.5:0 is not/],
  [
    'symlink target over 4095 bytes',
    [{ path: '/l', type: 'symlink', mode: 0o777, uid: 0, gid: 0, target: 'é'.repeat(2048) }],
    /symlink '\/l': its target has more than 4095 bytes/,
  ],
  // Linux's device numbers: 12 bits of major, 20 of minor; squashfs and ext4 would store another device.
  [
    'major over 12 bits',
    [{ path: '/d', type: 'chardev', mode: 0o600, uid: 0, gid: 0, major: 4096, minor: 0 }],
    /device node '\/d': major 4096 is not from 0 to 4095/,
  ],
  ['minor over 20 bits', [{ path: '/d', type: 'blockdev', mode: 0o600, uid: 0, gid: 0, major: 8, minor: 2 ** 20 }], /minor 1048576 is not from 0 to 1048575/],
  ['negative minor', [{ path: '/d', type: 'blockdev', mode: 0o600, uid: 0, gid: 0, major: 8, minor: -1 }], /minor -1 is not/],
];

test('the largest owners, device numbers and link targets are taken', () => {
  const entries: ImageEntry[] = [
    { ...etc, uid: 2 ** 32 - 2, gid: 2 ** 32 - 2 },
    { path: '/d', type: 'chardev', mode: 0o600, uid: 0, gid: 0, major: 4095, minor: 2 ** 20 - 1 },
    { path: '/l', type: 'symlink', mode: 0o777, uid: 0, gid: 0, target: 'x'.repeat(4095) },
  ];
  assert.is(imageTree(entries, E).entries.length, 4);
});

for (const [name, entries, message] of BAD) {
  test(`refused: ${name}`, () => {
    try {
      imageTree(entries, E);
      assert.unreachable('accepted');
    } catch (e) {
      assert.instance(e, ImageTreeError);
      assert.match((e as Error).message, message);
    }
  });
}

test('root is added when missing, entries are sorted, times clamped to the epoch, type bits dropped from modes', () => {
  const t = imageTree(
    [
      { path: '/etc/motd', type: 'file', mode: 0o100644, uid: 0, gid: 0, content: 'x', mtime: E + 5 },
      { ...etc, mtime: E - 5 },
    ],
    E,
  );
  assert.equal(
    t.entries.map((e) => e.path),
    ['/', '/etc', '/etc/motd'],
  );
  assert.equal(
    t.entries.map((e) => e.mtime),
    [E, E - 5, E],
  );
  assert.is(t.entries[2].mode, 0o644);
});

test('the tree digest follows content, owners and times, not entry order', async () => {
  const a = [root, etc, { path: '/etc/motd', type: 'file' as const, mode: 0o644, uid: 0, gid: 0, content: 'one' }];
  const d = await treeDigest(imageTree(a, E));
  assert.is(await treeDigest(imageTree([...a].reverse(), E)), d);
  assert.is.not(await treeDigest(imageTree([root, etc, { ...a[2], content: 'two' }], E)), d);
  assert.is.not(await treeDigest(imageTree([root, etc, { ...a[2], uid: 1 }], E)), d);
  assert.is.not(await treeDigest(imageTree(a, E + 1)), d);
});

test('stable ids are RFC 9562 version 8 UUIDs, the same for the same seed and purpose', () => {
  const u = stableUuid('seed', 'ext4-uuid');
  assert.match(u, /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.is(stableUuid('seed', 'ext4-uuid'), u);
  assert.is.not(stableUuid('seed', 'gpt-disk'), u);
  assert.is.not(stableUuid('seed2', 'ext4-uuid'), u);
  assert.match(stableHex32('seed', 'vfat'), /^[0-9a-f]{8}$/);
});

test('the tree digest is the sha256 of one JSON array per entry, whatever the names hold (the ids of every image made so far)', async () => {
  const entries: ImageEntry[] = [
    { path: '/', type: 'dir', mode: 0o755, uid: 0, gid: 0, mtime: 5 },
    { path: '/a "quoted"\\ \u2028 ünï 😀', type: 'file', mode: 0o644, uid: 1e9, gid: 0, mtime: 1.5, sha256: 'ab', source: '/nowhere' },
    { path: '/d', type: 'chardev', mode: 0, uid: 0, gid: 0, mtime: 3, major: 4095, minor: 2 ** 20 - 1 },
    { path: '/l', type: 'symlink', mode: 0o777, uid: 0, gid: 0, target: 'x"\n\t\u0001' },
  ];
  const tree = imageTree(entries, 7);
  const h = createHash('sha256').update('strata-image-tree-v1 7\n');
  for (const e of tree.entries)
    h.update(JSON.stringify([e.path, e.type, e.mode, e.uid, e.gid, e.mtime, e.target ?? '', e.major ?? -1, e.minor ?? -1, e.sha256 ?? '']) + '\n');
  assert.is(await treeDigest(tree), h.digest('hex'));
});

test.run();
