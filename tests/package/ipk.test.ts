import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { scratchDirs } from '../helpers/strata.js';
import { readAr } from '../../core/archive/ar.js';
import { parseControl } from '../../core/package/control.js';
import { feedIndex, writeFeedIndex } from '../../core/package/feed.js';
import { makePackages, type RecipePackaging } from '../../core/package/make-packages.js';
import { walkTree } from '../../core/package/walk.js';
import { NO_DECLARATIONS } from '../../core/metadata/declarations.js';
import { mergeGroups, mergeUsers } from '../../core/rootfs/accounts.js';

// .ipk files as dpkg-deb reads them, bit for bit reproducible, and the feed
// index over them.

const tempDir = scratchDirs(test);
const EPOCH = 1704067200;
const loc = (line: number) => ({ file: '/layers/x/app.yaml', line, column: 3 });

function recipe(over: Partial<RecipePackaging> = {}): RecipePackaging {
  return {
    recipe: 'app',
    version: '1.2-r0',
    arch: 'aarch64',
    license: 'MIT',
    summary: 'an app',
    homepage: 'https://example.org/app',
    maintainer: 'Strata Tests <tests@example.invalid>',
    file: '/layers/x/app.yaml',
    specs: [
      { name: 'app-dev', patterns: ['/usr/include/**'], loc: loc(10), patternLocs: [loc(10)] },
      { name: 'app', patterns: ['/usr/**', '/etc/**', '/var/**'], loc: loc(11), patternLocs: [loc(11), loc(11), loc(11)] },
    ],
    rdepends: new Map([['app', ['base-files']]]),
    conffiles: new Map(),
    declarations: NO_DECLARATIONS,
    ...over,
  };
}

/** An install tree made under a hostile umask with odd times: none of it may reach the package. */
function installTree(umask: number): string {
  const d = tempDir('strata-ipk-');
  const old = process.umask(umask);
  try {
    for (const dir of ['usr/bin', 'usr/include', 'etc/app', 'var/lib/app']) mkdirSync(join(d, dir), { recursive: true });
    writeFileSync(join(d, 'usr/bin/app'), '#!/bin/sh\necho app\n');
    chmodSync(join(d, 'usr/bin/app'), 0o755);
    writeFileSync(join(d, 'usr/include/app.h'), 'int app(void);\n');
    writeFileSync(join(d, 'etc/app/app.conf'), 'level=1\n');
    chmodSync(join(d, 'etc/app/app.conf'), 0o644);
    chmodSync(join(d, 'usr/include/app.h'), 0o644);
    symlinkSync('app', join(d, 'usr/bin/app-link'));
    const when = new Date(Date.now() - Math.floor(Math.random() * 1e9));
    utimesSync(join(d, 'usr/bin/app'), when, when);
  } finally {
    process.umask(old);
  }
  return d;
}

const build = (umask: number, over: Partial<RecipePackaging> = {}) => {
  const r = makePackages(recipe(over), walkTree(installTree(umask)), { providers: [], users: new Map(), groups: new Map() }, EPOCH);
  if (!r.ok) throw new Error([...r.diagnostics.map((d) => d.message), ...r.messages].join('\n'));
  return r.packages;
};

test('dpkg-deb reads every package: control fields and contents', () => {
  const dir = tempDir('strata-ipk-out-');
  for (const p of build(0o022)) {
    const file = join(dir, p.data.ipk.file);
    writeFileSync(file, p.ipk);
    const info = execFileSync('dpkg-deb', ['--info', file], { encoding: 'utf8' });
    assert.match(info, `Package: ${p.data.name}\n`);
    assert.match(info, 'Version: 1.2-r0');
    assert.match(info, 'Architecture: aarch64');
    assert.match(info, 'License: MIT');
    assert.match(info, 'Source: app');
    assert.match(info, 'Maintainer: Strata Tests <tests@example.invalid>');
    assert.match(info, 'Description: an app');
    const field = (f: string) => execFileSync('dpkg-deb', ['--field', file, f], { encoding: 'utf8' }).trim();
    assert.is(field('Package'), p.data.name);
    execFileSync('dpkg-deb', ['--contents', file], { encoding: 'utf8' });
  }
  const app = join(dir, 'app_1.2-r0_aarch64.ipk');
  assert.is(execFileSync('dpkg-deb', ['--field', app, 'Depends'], { encoding: 'utf8' }).trim(), 'base-files');
  const contents = execFileSync('dpkg-deb', ['--contents', app], { encoding: 'utf8' });
  const lines = contents
    .trim()
    .split('\n')
    .map((l) => l.split(/\s+/));
  const byName = new Map(lines.map((f) => [f[5], f]));
  assert.equal(
    [...byName.keys()],
    [
      './',
      './etc/',
      './etc/app/',
      './etc/app/app.conf',
      './usr/',
      './usr/bin/',
      './usr/bin/app',
      './usr/bin/app-link',
      './var/',
      './var/lib/',
      './var/lib/app/',
    ],
  );
  assert.is(byName.get('./usr/bin/app')![0], '-rwxr-xr-x');
  assert.is(byName.get('./usr/bin/app')![1], 'root/root');
  assert.is(byName.get('./usr/bin/app')![3], '2024-01-01', 'mtime is SOURCE_DATE_EPOCH');
  assert.is(byName.get('./var/lib/app/')![0], 'drwxr-xr-x', 'folders are 0755, not what the umask made');
  assert.match(contents, './usr/bin/app-link -> app');
  // conffiles: everything under /etc by default.
  const x = tempDir('strata-ipk-ctrl-');
  execFileSync('dpkg-deb', ['--control', app, x]);
  assert.is(readFileSync(join(x, 'conffiles'), 'utf8'), '/etc/app/app.conf\n');
});

test('layout: ar members in order, gzip headers without name or time, ar fields fixed', () => {
  const [, app] = build(0o022);
  const ar = readAr(app.ipk);
  assert.ok(ar.ok);
  if (!ar.ok) return;
  assert.equal(
    ar.members.map((m) => m.name),
    ['debian-binary', 'control.tar.gz', 'data.tar.gz'],
  );
  assert.is(ar.members[0].data.toString(), '2.0\n');
  for (const m of ar.members.slice(1)) {
    assert.is(m.data.readUInt32LE(4), 0, 'gzip mtime is 0');
    assert.is(m.data[3] & 0x08, 0, 'no file name in the gzip header');
    gunzipSync(m.data);
  }
  const file = join(tempDir('strata-ipk-ar-'), 'app.ipk');
  writeFileSync(file, app.ipk);
  assert.is(execFileSync('ar', ['t', file], { encoding: 'utf8' }), 'debian-binary\ncontrol.tar.gz\ndata.tar.gz\n');
  assert.match(execFileSync('ar', ['tv', file], { encoding: 'utf8' }), /rw-r--r-- 0\/0/);
});

test('two writes are identical, whatever the umask and file times of the install tree', () => {
  const a = build(0o022);
  const b = build(0o077);
  assert.equal(
    a.map((p) => p.data.ipk.sha256),
    b.map((p) => p.data.ipk.sha256),
  );
  assert.ok(a.every((p, i) => p.ipk.equals(b[i].ipk)));
});

test('conffiles are settable per package; declared owners reach the archive', () => {
  const packages = build(0o022, {
    conffiles: new Map([['app', []]]),
    declarations: {
      ...NO_DECLARATIONS,
      users: [{ name: 'app', uid: 501, group: 'app', home: '/var/lib/app', shell: '/bin/false', gecos: 'app', package: 'app', loc: loc(20) }],
      groups: [{ name: 'app', gid: 502, loc: loc(21) }],
      permissions: [{ path: '/var/lib/app', mode: 0o750, owner: 'app', group: 'app', loc: loc(22) }],
    },
  });
  const app = packages.find((p) => p.data.name === 'app')!;
  assert.equal(app.data.conffiles, []);
  const dir = tempDir('strata-ipk-out-');
  writeFileSync(join(dir, 'app.ipk'), app.ipk);
  const contents = execFileSync('dpkg-deb', ['--contents', join(dir, 'app.ipk')], { encoding: 'utf8' });
  assert.match(contents, /drwxr-x--- app\/app\s+0 2024-01-01 00:00 \.\/var\/lib\/app\//);
  assert.ok(
    app.data.users.some((u) => u.name === 'app' && u.uid === 501),
    'users travel in the package data',
  );
  assert.ok(app.data.groups.length === 0 && packages[0].data.groups[0].name === 'app', "without 'package:', the recipe's first package carries it");
});

test('a package declaring users gets an opkg preinst that adds the same lines the rootfs writes, once', () => {
  const declarations = {
    ...NO_DECLARATIONS,
    users: [
      { name: 'app', uid: 501, group: 'app', home: '/var/lib/app', shell: '/bin/false', gecos: "app's daemon", package: 'app', loc: loc(20) },
      { name: 'helper', uid: 502, group: 'www', home: '/', shell: '/bin/false', gecos: 'helper', package: 'app', loc: loc(21) },
    ],
    groups: [{ name: 'app', gid: 502, package: 'app', loc: loc(22) }],
  };
  const packages = build(0o022, { declarations });
  const app = packages.find((p) => p.data.name === 'app')!;
  assert.not.ok(packages.find((p) => p.data.name === 'app-dev')!.ipk.includes('preinst'), 'no accounts, no script');
  const dir = tempDir('strata-ipk-preinst-');
  writeFileSync(join(dir, 'app.ipk'), app.ipk);
  assert.match(execFileSync('dpkg-deb', ['--info', join(dir, 'app.ipk')], { encoding: 'utf8' }), /\d+ bytes, +\d+ lines +\* +preinst +#!\/bin\/sh/);
  execFileSync('dpkg-deb', ['--control', join(dir, 'app.ipk'), join(dir, 'control')]);
  const preinst = join(dir, 'control/preinst');

  // An offline root as opkg would give it (PKG_ROOT), with base-files' accounts and a group from another package.
  const root = join(dir, 'root');
  mkdirSync(join(root, 'etc'), { recursive: true });
  const shippedGroup = 'root:x:0:\nwww:x:33:\n';
  const shippedPasswd = 'root::0:0:root:/root:/bin/sh\n';
  writeFileSync(join(root, 'etc/group'), shippedGroup);
  writeFileSync(join(root, 'etc/passwd'), shippedPasswd);
  const run = () => execFileSync('sh', [preinst], { env: { PATH: process.env.PATH, PKG_ROOT: root }, encoding: 'utf8' });
  run();
  const problems: never[] = [];
  const by = 'app';
  const groups = mergeGroups(shippedGroup, [{ name: 'app', id: 502, by }], problems);
  const users = mergeUsers(
    shippedPasswd,
    declarations.users.map((u) => ({ ...u, id: u.uid, by })),
    new Map([
      ['app', 502],
      ['www', 33],
    ]),
    problems,
  );
  assert.is(readFileSync(join(root, 'etc/group'), 'utf8'), groups);
  assert.is(readFileSync(join(root, 'etc/passwd'), 'utf8'), users, "the rootfs's own lines, the gecos quote kept");
  run();
  assert.is(readFileSync(join(root, 'etc/passwd'), 'utf8'), users, 'a second install adds nothing');

  // A primary group nobody has: the install fails and says which.
  writeFileSync(join(root, 'etc/group'), 'root:x:0:\n');
  writeFileSync(join(root, 'etc/passwd'), shippedPasswd);
  try {
    execFileSync('sh', [preinst], { env: { PATH: process.env.PATH, PKG_ROOT: root }, encoding: 'utf8', stdio: 'pipe' });
    assert.unreachable('the preinst succeeded');
  } catch (e) {
    assert.match(String((e as { stderr: string }).stderr), 'app: user helper needs group www, which is missing');
  }
});

test('bad metadata: file:line diagnostics (empty glob, bad names, unknown owner); unshipped files named', () => {
  const r = makePackages(
    recipe({
      specs: [
        { name: 'App_Bad', patterns: ['/usr/**'], loc: loc(30), patternLocs: [loc(30)] },
        { name: 'app', patterns: ['/etc/**', '/srv/**'], loc: loc(31), patternLocs: [loc(31), loc(32)] },
      ],
      declarations: { ...NO_DECLARATIONS, permissions: [{ path: '/etc/app', owner: 'nobody', loc: loc(40) }] },
    }),
    walkTree(installTree(0o022)),
    { providers: [], users: new Map(), groups: new Map() },
    EPOCH,
  );
  assert.not.ok(r.ok);
  if (r.ok) return;
  assert.equal(
    r.diagnostics.map((d) => [d.code, d.location?.line]),
    [
      ['package-bad-name', 30],
      ['package-glob-empty', 32],
      ['rootfs-unknown-user', 40],
    ],
  );
});

test('metadata naming packages: rdepends of a package the recipe does not make, an unknown dependency, a bad package: field', () => {
  const r = makePackages(
    recipe({
      rdepends: new Map([
        ['app', ['base-file']],
        ['ap', ['app']],
      ]),
      rdependsAt: new Map([
        ['app base-file', loc(50)],
        ['ap app', loc(51)],
      ]),
      knownPackages: new Set(['app', 'app-dev', 'base-files']),
      declarations: { ...NO_DECLARATIONS, groups: [{ name: 'g', gid: 9, package: 'app-doc', loc: loc(52) }] },
    }),
    walkTree(installTree(0o022)),
    { providers: [], users: new Map(), groups: new Map() },
    EPOCH,
  );
  assert.not.ok(r.ok);
  if (r.ok) return;
  assert.equal(
    r.diagnostics.map((d) => [d.message, d.location?.line, d.hint]),
    [
      ["run-time dependency 'base-file' of app: no recipe makes a package of that name", 50, "did you mean 'base-files'?"],
      ["rdepends: app makes no package 'ap'", 51, "did you mean 'app'?"],
      ["package 'app-doc' is not one of app's packages", 52, "did you mean 'app-dev'?"],
    ],
  );
});

test('the feed index: one paragraph per .ipk, sorted, with Filename, Size and SHA256sum; Packages.gz matches', async () => {
  const feed = tempDir('strata-feed-');
  for (const p of build(0o022)) writeFileSync(join(feed, p.data.ipk.file), p.ipk);
  await writeFeedIndex(feed);
  const text = readFileSync(join(feed, 'Packages'), 'utf8');
  assert.is(gunzipSync(readFileSync(join(feed, 'Packages.gz'))).toString(), text);
  const paras = parseControl(text);
  assert.equal(
    paras.map((p) => p.get('Package')),
    ['app', 'app-dev'],
  );
  const app = paras[0];
  assert.is(app.get('Filename'), 'app_1.2-r0_aarch64.ipk');
  assert.is(Number(app.get('Size')), readFileSync(join(feed, 'app_1.2-r0_aarch64.ipk')).length);
  assert.is(app.get('SHA256sum'), execFileSync('sha256sum', [join(feed, 'app_1.2-r0_aarch64.ipk')], { encoding: 'utf8' }).split(' ')[0]);
  assert.is(app.get('Depends'), 'base-files');
  assert.is([...app.keys()].at(-1), 'Description');
  assert.is(await feedIndex(feed), text, 'deterministic');
});

test.run();
