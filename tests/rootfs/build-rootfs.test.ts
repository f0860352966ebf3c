import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { buildRootfs, type PackageMember, type RootfsInput } from '../../core/rootfs/build-rootfs.js';
import { installClosure } from '../../core/rootfs/closure.js';
import { mergeGroups, mergeUsers } from '../../core/rootfs/accounts.js';
import { NO_DECLARATIONS, type RootfsDeclarations } from '../../core/metadata/declarations.js';
import type { Diagnostic } from '../../core/diagnostics/diagnostic.js';
import type { PackageData } from '../../core/package/pkgdata.js';

// The rootfs from installed packages, as pure functions: conflicts, implied
// folders, devices, users and groups, image permissions, and the install
// closure over run-time dependencies.

const sha = (t: string) => createHash('sha256').update(t).digest('hex');

function pkg(name: string, over: Partial<PackageData> = {}): PackageData {
  return {
    format: 1,
    name,
    version: '1',
    arch: 'aarch64',
    recipe: name,
    license: 'MIT',
    summary: name,
    maintainer: 'm',
    depends: [],
    dependsWhy: [],
    sonames: [],
    conffiles: [],
    files: [],
    users: [],
    groups: [],
    devices: [],
    ipk: { file: `${name}_1_aarch64.ipk`, sha256: '0'.repeat(64), size: 0 },
    ...over,
  };
}

const dir = (path: string, mode = 0o755, owner = 'root', group = 'root'): PackageMember => ({ path, type: 'dir', mode, uid: 0, gid: 0, owner, group });
const file = (path: string, text: string, mode = 0o644): PackageMember => ({
  path,
  type: 'file',
  mode,
  uid: 0,
  gid: 0,
  owner: 'root',
  group: 'root',
  sha256: sha(text),
  size: text.length,
});

function run(packages: { data: PackageData; members: PackageMember[] }[], image: Partial<RootfsDeclarations> = {}, texts: Record<string, string> = {}) {
  const store = new Map(Object.values(texts).map((t) => [sha(t), t]));
  for (const p of packages) for (const m of p.members) if (m.sha256 && !store.has(m.sha256)) store.set(m.sha256, '');
  const input: RootfsInput = {
    packages,
    image: { ...NO_DECLARATIONS, ...image },
    imageName: 'img',
    packageLoc: (p) => ({ file: `${p}.yaml`, line: 9, column: 3 }),
    readText: (h) => store.get(h)!,
    storeText: (t) => (store.set(sha(t), t), sha(t)),
  };
  const r = buildRootfs(input);
  return { r, text: (h: string) => store.get(h)! };
}

const codes = (d: readonly Diagnostic[]) => d.map((x) => x.code);
const loc = { file: 'img.yaml', line: 4, column: 5 };

test('skeleton, packages, implied folders 0755 root:root; the skeleton keeps /tmp 1777', () => {
  const { r } = run([{ data: pkg('a'), members: [dir('/tmp'), dir('/usr'), file('/usr/bin/x', 'x', 0o755)] }]);
  assert.ok(r.ok);
  if (!r.ok) return;
  const at = (p: string) => r.entries.find((e) => e.path === p)!;
  assert.is(at('/tmp').mode, 0o1777);
  assert.equal([at('/usr/bin').mode, at('/usr/bin').uid, at('/usr/bin').pkg], [0o755, 0, undefined], 'implied by /usr/bin/x');
  assert.ok(at('/dev/console') && at('/dev/null'));
  assert.equal(
    r.entries.map((e) => e.path),
    [...r.entries.map((e) => e.path)].sort(),
    'sorted',
  );
});

test('conflicts: one file from two packages; folders with other modes; a path under a symlink', () => {
  const one = run([
    { data: pkg('a'), members: [file('/etc/x', 'a')] },
    { data: pkg('b'), members: [file('/etc/x', 'b')] },
  ]);
  assert.not.ok(one.r.ok);
  if (!one.r.ok) {
    assert.is(one.r.diagnostics[0].message, '/etc/x is installed by both package a and package b');
    assert.equal(one.r.diagnostics[0].location, { file: 'b.yaml', line: 9, column: 3 });
    assert.equal(one.r.diagnostics[0].related?.[0].location, { file: 'a.yaml', line: 9, column: 3 });
  }
  const same = run([
    { data: pkg('a'), members: [file('/etc/x', 'a')] },
    { data: pkg('b'), members: [file('/etc/x', 'a')] },
  ]);
  assert.ok(same.r.ok, 'the same file twice is no conflict');
  const modes = run([
    { data: pkg('a'), members: [dir('/srv', 0o750)] },
    { data: pkg('b'), members: [dir('/srv')] },
  ]);
  assert.not.ok(modes.r.ok);
  const fixed = run(
    [
      { data: pkg('a'), members: [dir('/srv', 0o750)] },
      { data: pkg('b'), members: [dir('/srv')] },
    ],
    { permissions: [{ path: '/srv', mode: 0o700, loc }] },
  );
  assert.ok(fixed.r.ok && fixed.r.entries.find((e) => e.path === '/srv')!.mode === 0o700, "the image's permissions settle it");
  const link = run([
    { data: pkg('a'), members: [{ path: '/lib', type: 'symlink', mode: 0o777, uid: 0, gid: 0, owner: 'root', group: 'root', target: 'usr/lib' }] },
    { data: pkg('b'), members: [dir('/lib'), file('/lib/x', 'x')] },
  ]);
  assert.not.ok(link.r.ok);
});

test('users and groups: merged into the shipped files, conflicts refused, owners checked', () => {
  const passwd = 'root::0:0:root:/root:/bin/sh\n';
  const group = 'root:x:0:\n';
  const base = { data: pkg('base-files'), members: [dir('/etc'), file('/etc/passwd', passwd), file('/etc/group', group)] };
  const www = pkg('www', {
    users: [{ name: 'www', uid: 33, group: 'www', home: '/var/www', shell: '/bin/false', gecos: 'web' }],
    groups: [{ name: 'www', gid: 33 }],
  });
  const ok = run([base, { data: www, members: [dir('/var'), { ...dir('/var/www', 0o750, 'www', 'www') }] }], {}, { passwd, group });
  assert.ok(ok.r.ok, ok.r.ok ? '' : ok.r.diagnostics.map((d) => d.message).join('\n'));
  if (ok.r.ok) {
    const at = (p: string) => ok.r.ok && ok.r.entries.find((e) => e.path === p)!;
    assert.is(ok.text((at('/etc/passwd') as { sha256: string }).sha256), passwd + 'www:!:33:33:web:/var/www:/bin/false\n');
    assert.is(ok.text((at('/etc/group') as { sha256: string }).sha256), group + 'www:x:33:\n');
    assert.equal([(at('/var/www') as { uid: number }).uid, (at('/var/www') as { gid: number }).gid], [33, 33]);
    assert.is((at('/etc/passwd') as { pkg: string }).pkg, 'base-files');
  }
  const taken = run(
    [base, { data: www, members: [] }],
    { users: [{ name: 'web', uid: 33, group: 'www', home: '/', shell: '/bin/sh', gecos: '', loc }] },
    { passwd, group },
  );
  assert.not.ok(taken.r.ok);
  if (!taken.r.ok)
    assert.equal(
      taken.r.diagnostics.map((d) => [d.code, d.location]),
      [['rootfs-user-conflict', loc]],
    );
  const owner = run([{ data: pkg('x'), members: [dir('/srv', 0o755, 'nobody', 'root')] }]);
  assert.not.ok(owner.r.ok);
  if (!owner.r.ok) assert.equal(codes(owner.r.diagnostics), ['rootfs-unknown-owner']);
});

test('accounts: an unknown primary group, an existing name with another id', () => {
  const problems: Diagnostic[] = [];
  mergeUsers(
    'root:x:0:0::/root:/bin/sh\n',
    [{ name: 'a', id: 5, group: 'nogroup', gecos: '', home: '/', shell: '/bin/sh', by: 'image i' }],
    new Map([['root', 0]]),
    problems,
  );
  mergeGroups('root:x:0:\nwheel:x:10:\n', [{ name: 'wheel', id: 11, by: 'package p' }], problems);
  assert.equal(codes(problems), ['rootfs-unknown-group', 'rootfs-group-conflict']);
  assert.match(problems[1].message, 'group wheel is declared with id 11 by package p, but the image already has it with id 10');
});

test('devices from packages and the image; a device over a file is a conflict', () => {
  const dev = { path: '/dev/ttyS0', type: 'chardev' as const, major: 4, minor: 64, mode: 0o620, owner: 'root', group: 'root' };
  const { r } = run([{ data: pkg('a', { devices: [dev] }), members: [] }], {
    devices: [{ ...dev, path: '/dev/block/vda', type: 'blockdev', major: 254, minor: 0, mode: 0o600, loc }],
  });
  assert.ok(r.ok);
  if (r.ok) {
    assert.equal(
      r.entries.filter((e) => e.type === 'chardev' || e.type === 'blockdev').map((e) => [e.path, e.major, e.minor, e.pkg]),
      [
        ['/dev/block/vda', 254, 0, undefined],
        ['/dev/console', 5, 1, undefined],
        ['/dev/null', 1, 3, undefined],
        ['/dev/ttyS0', 4, 64, 'a'],
      ],
    );
    assert.is(r.entries.find((e) => e.path === '/dev/block')!.mode, 0o755);
  }
  const clash = run([{ data: pkg('a'), members: [dir('/dev'), file('/dev/ttyS0', '')] }], { devices: [{ ...dev, loc }] });
  assert.not.ok(clash.r.ok);
});

test('install closure: transitive, each once, sorted; an unknown dependency names who needs it and why', () => {
  const data = new Map([
    ['app', pkg('app', { depends: ['liba', 'loader'] })],
    ['liba', pkg('liba', { depends: ['loader'] })],
    ['loader', pkg('loader', { depends: ['app'] })],
  ]);
  const r = installClosure({ install: ['app'], lookup: (n) => data.get(n), installAt: () => loc });
  assert.ok(r.ok && r.packages.map((p) => p.name).join() === 'app,liba,loader', 'cycles are fine at run time');
  const bad = installClosure({
    install: ['app', 'nope'],
    lookup: (n) =>
      n === 'app' ? pkg('app', { depends: ['libz'], dependsWhy: [{ package: 'libz', why: 'shlib', binary: '/usr/bin/app', needs: 'libz.so.1' }] }) : undefined,
    installAt: () => loc,
  });
  assert.not.ok(bad.ok);
  if (!bad.ok) {
    assert.equal(
      bad.diagnostics.map((d) => d.message),
      ['package app depends on libz (/usr/bin/app needs libz.so.1), which no recipe makes', "no recipe makes package 'nope'"],
    );
    assert.equal(bad.diagnostics[1].location, loc);
  }
});

test.run();
