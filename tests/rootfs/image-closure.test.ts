import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { layerSet } from '../helpers/layer-set.js';
import { scratchDirs, strata } from '../helpers/strata.js';
import type { RootfsManifest } from '../../core/rootfs/manifest.js';

// The whole package half as a user meets it: recipes cross-compile a real
// shared library and a program linked to it (aarch64-linux-gnu-gcc), the
// package task finds the library and the loader the program needs, the image
// installs only `app` and gets its closure, the feed is indexed, folders
// made under umask 077 are 0755 in the image, and declared users land in
// /etc/passwd. Then the errors: a library nobody provides, an unknown
// package in an image, two packages shipping one file.

const tempDir = scratchDirs(test);
const CC = 'aarch64-linux-gnu-gcc';
const NOLIBC = '-nostdlib -Wl,-e,main -Wl,--dynamic-linker=/lib/ld-tiny.so.1';

const layers = {
  core: {
    'recipes/kernel.yaml':
      'name: kernel\nversion: "1"\nprovides: [virtual/kernel]\ntasks:\n  install: mkdir -p $D/boot && echo kernel > $D/boot/Image\npackages:\n  kernel-image: [/boot/**]\n',
    'recipes/loader.yaml':
      'name: loader\nversion: "1"\nlicense: MIT\ntasks:\n  install: mkdir -p $D/lib && echo loader > $D/lib/ld-tiny.so.1\npackages:\n  loader: [/lib/**]\n',
    'recipes/liba.yaml': [
      'name: liba',
      'version: "2.1"',
      'license: BSD-3-Clause',
      'tasks:',
      '  compile: |',
      "    printf 'int answer(void) { return 42; }\\n' > a.c",
      `    ${CC} -nostdlib -shared -fPIC -Wl,-soname,libanswer.so.1 -o libanswer.so.1.0 a.c`,
      '  install: |',
      '    mkdir -p $D/usr/lib',
      '    cp libanswer.so.1.0 $D/usr/lib/ && ln -s libanswer.so.1.0 $D/usr/lib/libanswer.so',
      'packages:',
      '  liba-dev: [/usr/lib/*.so]',
      '  liba: [/usr/lib/*.so.*]',
      '',
    ].join('\n'),
    'recipes/app.yaml': [
      'name: app',
      'version: "1"',
      'license: GPL-2.0-only',
      'depends: [liba, loader]',
      'tasks:',
      '  compile: |',
      "    printf 'int answer(void);\\nint main(void) { return answer(); }\\n' > m.c",
      `    ${CC} ${NOLIBC} -o app m.c $SYSROOT/usr/lib/libanswer.so`,
      '  install: |',
      '    umask 077',
      '    mkdir -p $D/usr/bin $D/usr/share/app',
      '    cp app $D/usr/bin/ && echo data > $D/usr/share/app/data',
      'packages:',
      '  app: [/usr/**]',
      'users:',
      '  - {name: app, uid: 200, group: app}',
      'groups:',
      '  - {name: app, gid: 200}',
      'permissions:',
      '  - {path: /usr/share/app, mode: "0750", owner: app, group: app}',
      '',
    ].join('\n'),
    'recipes/broken.yaml': [
      'name: broken',
      'version: "1"',
      'depends: [loader]',
      'tasks:',
      '  compile: |',
      "    printf 'int f(void) { return 1; }\\n' > l.c && printf 'int f(void);\\nint main(void) { return f(); }\\n' > m.c",
      `    ${CC} -nostdlib -shared -fPIC -Wl,-soname,libmissing.so.1 -o libmissing.so l.c`,
      `    ${CC} ${NOLIBC} -o broken m.c ./libmissing.so`,
      '  install: mkdir -p $D/usr/bin && cp broken $D/usr/bin/',
      'packages:',
      '  broken: [/usr/bin/*]',
      '',
    ].join('\n'),
    'recipes/clash.yaml': 'name: clash\nversion: "1"\ntasks:\n  install: mkdir -p $D/usr/bin && echo x > $D/usr/bin/app\npackages:\n  clash: [/usr/bin/app]\n',
    'images/small.yaml':
      'install: [app]\ntypes: [cpio.gz]\nusers:\n  - {name: guest, uid: 1000, group: app, home: /tmp}\ndevices:\n  - {path: /dev/ttyAMA0, type: char, major: 204, minor: 64, mode: "0620", group: app}\n',
    'images/typo.yaml': 'install:\n  - app\n  - appp\n',
    'images/clashing.yaml': 'install: [app, clash]\n',
  },
};

const s = layerSet(tempDir, layers);
const work = (r: string) => join(s.dir, 'build/work/board', r);

test('strata build small: closure over shared libraries and the loader, feed, manifest, owners and modes', async () => {
  const r = await strata(['build', 'small'], { cwd: s.dir });
  assert.is(r.code, 0, r.stdout + r.stderr);
  const app = JSON.parse(readFileSync(join(work('app-1'), 'packages/app.json'), 'utf8'));
  assert.equal(app.depends, ['liba', 'loader']);
  assert.equal(
    app.dependsWhy.map((w: { package: string; why: string; needs: string }) => [w.package, w.why, w.needs]),
    [
      ['loader', 'interpreter', '/lib/ld-tiny.so.1'],
      ['liba', 'shlib', 'libanswer.so.1'],
    ],
  );
  const liba = JSON.parse(readFileSync(join(work('liba-2.1'), 'packages/liba.json'), 'utf8'));
  assert.equal(liba.sonames, ['libanswer.so.1', 'libanswer.so.1.0']);

  const feed = join(s.dir, 'build/deploy/ipk/aarch64');
  assert.equal(readdirSync(feed).sort(), [
    'Packages',
    'Packages.gz',
    'app_1_aarch64.ipk',
    'kernel-image_1_aarch64.ipk',
    'liba-dev_2.1_aarch64.ipk',
    'liba_2.1_aarch64.ipk',
    'loader_1_aarch64.ipk',
  ]);
  const index = readFileSync(join(feed, 'Packages'), 'utf8');
  assert.match(index, 'Package: app\nVersion: 1\nArchitecture: aarch64\n');
  assert.match(index, 'Depends: liba, loader\n');
  assert.is(execFileSync('dpkg-deb', ['--field', join(feed, 'app_1_aarch64.ipk'), 'Depends'], { encoding: 'utf8' }).trim(), 'liba, loader');

  const m = JSON.parse(readFileSync(join(s.dir, 'build/work/board/small-image/rootfs/manifest.json'), 'utf8')) as RootfsManifest;
  assert.equal(
    m.packages.map((p) => `${p.name} ${p.version} ${p.license}`),
    ['app 1 GPL-2.0-only', 'liba 2.1 BSD-3-Clause', 'loader 1 MIT'],
  );
  const at = (p: string) => m.entries.find((e) => e.path === p)!;
  assert.is(at('/usr').mode, 0o755, 'made under umask 077, 0755 in the image');
  assert.is(at('/usr/bin').mode, 0o755);
  assert.equal([at('/usr/share/app').mode, at('/usr/share/app').uid, at('/usr/share/app').gid], [0o750, 200, 200], 'declared permissions');
  assert.is(at('/usr/bin/app').pkg, 'app');
  assert.match(at('/usr/bin/app').sha256 ?? '', /^[0-9a-f]{64}$/);
  assert.equal([at('/dev/ttyAMA0').type, at('/dev/ttyAMA0').major, at('/dev/ttyAMA0').minor, at('/dev/ttyAMA0').gid], ['chardev', 204, 64, 200]);
  const content = (p: string) => readFileSync(join(s.dir, 'build/work/board/small-image/rootfs/files', at(p).sha256!), 'utf8');
  assert.is(content('/etc/group'), 'root:x:0:\napp:x:200:\n');
  assert.is(content('/etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\napp:!:200:200:app:/nonexistent:/bin/false\nguest:!:1000:200:guest:/tmp:/bin/false\n');
  assert.not.match(JSON.stringify(m), s.dir, 'no host path in the manifest');
  const deployed = readFileSync(join(s.dir, 'build/deploy/images/board/small-board.manifest'), 'utf8');
  assert.is(deployed, 'app app 1 aarch64 GPL-2.0-only\nliba liba 2.1 aarch64 BSD-3-Clause\nloader loader 1 aarch64 MIT\n');
  // The cpio has /usr 0755 too.
  const listing = execFileSync('sh', ['-c', `zcat '${join(s.dir, 'build/deploy/images/board/small-board.cpio.gz')}' | cpio -tv 2>/dev/null`], {
    encoding: 'utf8',
  });
  assert.match(listing, /drwxr-xr-x +2 root +root +0 .* usr\n/);
});

test('a library no package provides fails the package task, naming the binary and the library', async () => {
  const r = await strata(['build', 'broken'], { cwd: s.dir });
  assert.is(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout + r.stderr, '/usr/bin/broken (package broken) needs the library libmissing.so.1');
  assert.not.ok(existsSync(join(work('broken-1'), 'packages')), 'nothing half-written');
});

test('an image naming an unknown package: file:line of the name, and a suggestion', async () => {
  const r = await strata(['build', 'typo'], { cwd: s.dir });
  assert.is(r.code, 2, r.stdout + r.stderr);
  assert.match(r.stderr, /typo\.yaml:3:5/);
  assert.match(r.stderr, "no recipe makes package 'appp'");
  assert.match(r.stderr, "did you mean 'app'?");
});

test('two packages shipping one file: the rootfs says which two, and where they are declared', async () => {
  const r = await strata(['build', 'clashing'], { cwd: s.dir });
  assert.not.equal(r.code, 0);
  assert.match(r.stdout + r.stderr, '/usr/bin/app is installed by both package app and package clash');
  assert.match(r.stdout + r.stderr, /clash\.yaml:6:3/);
});

test('a rebuild in another folder gives the same packages, rootfs manifest and image', async () => {
  const t = layerSet(tempDir, layers);
  const r = await strata(['build', 'small'], { cwd: t.dir });
  assert.is(r.code, 0, r.stdout + r.stderr);
  const same = (rel: string) => assert.ok(readFileSync(join(s.dir, rel)).equals(readFileSync(join(t.dir, rel))), rel);
  // (The first folder's feed holds more packages by now, so its index differs.)
  for (const f of ['app_1_aarch64.ipk', 'liba_2.1_aarch64.ipk', 'liba-dev_2.1_aarch64.ipk', 'loader_1_aarch64.ipk']) same(`build/deploy/ipk/aarch64/${f}`);
  same('build/work/board/small-image/rootfs/manifest.json');
  same('build/deploy/images/board/small-board.cpio.gz');
});

test.run();
