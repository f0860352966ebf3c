import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scratchDirs } from '../helpers/strata.js';
import { globToRegExp } from '../../core/package/glob.js';
import { assignFiles } from '../../core/package/split.js';
import { walkTree } from '../../core/package/walk.js';
import type { PackageSpec } from '../../core/metadata/body.js';

// Package patterns and the split of an install tree into packages.

const tempDir = scratchDirs(test);

const matches = (pattern: string, path: string) => globToRegExp(pattern).test(path);

test('** crosses folders, * and ? do not', () => {
  assert.ok(matches('/bin/**', '/bin/a'));
  assert.ok(matches('/bin/**', '/bin/a/b'));
  assert.not.ok(matches('/bin/**', '/bin'));
  assert.not.ok(matches('/bin/**', '/binx/a'));
  assert.ok(matches('/bin/*', '/bin/a'));
  assert.not.ok(matches('/bin/*', '/bin/a/b'), '* stops at /');
  assert.ok(matches('/usr/lib/*.so.*', '/usr/lib/libc.so.6'));
  assert.not.ok(matches('/usr/lib/*.so.*', '/usr/lib/libcXsoX6'), '. is literal');
  assert.not.ok(matches('/usr/lib/*.so.*', '/usr/lib/sub/libc.so.6'));
  assert.ok(matches('/dev/tty?', '/dev/tty1'));
  assert.not.ok(matches('/dev/tty?', '/dev/tty10'));
  assert.not.ok(matches('/dev/tty?', '/dev/tty/'));
  assert.ok(matches('/opt/a+b(c)/$x', '/opt/a+b(c)/$x'), 'regexp characters are literal');
  assert.not.ok(matches('/opt/a+b', '/opt/aab'));
  assert.ok(matches('/**', '/linuxrc'));
});

/** An install tree (${D}) on disk, walked like the package task does. */
function installTree() {
  const d = tempDir('strata-split-');
  const file = (p: string, text = p) => {
    mkdirSync(join(d, p, '..'), { recursive: true });
    writeFileSync(join(d, p), text);
  };
  file('/usr/bin/app');
  file('/usr/lib/libx.so.1');
  symlinkSync('libx.so.1', join(d, 'usr/lib/libx.so'));
  file('/usr/include/x.h');
  file('/usr/share/doc/app/README');
  file('/etc/app.conf');
  file('/etc/app.d/extra.conf');
  file('/opt/stray');
  mkdirSync(join(d, 'var/empty'), { recursive: true });
  chmodSync(join(d, 'usr/include'), 0o750);
  return walkTree(d);
}

const spec = (name: string, patterns: string[]): PackageSpec => ({
  name,
  patterns,
  loc: { file: 'r.yaml', line: 1, column: 1 },
  patternLocs: patterns.map((_, i) => ({ file: 'r.yaml', line: 7 + i, column: 3 })),
});

test('assignFiles: the first matching package wins; unmatched files are reported as unshipped', () => {
  const tree = installTree();
  const { packages, unshipped, problems } = assignFiles(tree, [
    spec('app-dev', ['/usr/include/**', '/usr/lib/*.so']),
    spec('app', ['/usr/**', '/etc/*']),
    spec('app-empty', ['/nothing/**']),
  ]);
  assert.equal(
    problems.map((p) => [p.code, p.message, p.location?.line]),
    [['package-glob-empty', "pattern '/nothing/**' of package app-empty matches nothing the recipe installed", 7]],
  );
  const files = (name: string) =>
    packages
      .get(name)!
      .filter((e) => e.type !== 'dir')
      .map((e) => e.path);
  assert.equal(files('app-dev'), ['/usr/include/x.h', '/usr/lib/libx.so'], 'libx.so goes to app-dev although app matches it too');
  assert.equal(files('app'), ['/etc/app.conf', '/usr/bin/app', '/usr/lib/libx.so.1', '/usr/share/doc/app/README']);
  assert.equal(packages.get('app-empty'), [], 'a package matching nothing is empty, not missing');
  assert.equal(unshipped, ['/etc/app.d/extra.conf', '/opt/stray']);
  assert.is(packages.get('app-dev')!.find((e) => e.path === '/usr/lib/libx.so')!.type, 'symlink');
});

test('assignFiles: a pattern taken entirely by an earlier package still matched something; the implicit package may be empty', () => {
  const { problems } = assignFiles(installTree(), [spec('a', ['/usr/**', '/etc/**', '/opt/**', '/var/**']), spec('b', ['/usr/bin/app'])]);
  assert.equal(problems, []);
  const none = assignFiles([], [{ ...spec('r', ['/**']), implicit: true }]);
  assert.equal(none.problems, []);
});

test('assignFiles: `<dir>/**` ships an empty <dir>; folders a pattern names are shipped even when empty', () => {
  const { packages } = assignFiles(installTree(), [spec('app', ['/usr/**', '/etc/**', '/opt/**', '/var/**'])]);
  const paths = packages.get('app')!.map((e) => e.path);
  assert.ok(paths.includes('/var') && paths.includes('/var/empty'));
});

test('assignFiles: parent folders travel with their files', () => {
  const { packages } = assignFiles(installTree(), [spec('app-dev', ['/usr/include/**', '/usr/lib/*.so']), spec('app', ['/usr/**', '/etc/*'])]);
  const dirs = (name: string) =>
    packages
      .get(name)!
      .filter((e) => e.type === 'dir')
      .map((e) => e.path);
  assert.equal(dirs('app-dev'), ['/usr', '/usr/include', '/usr/lib']);
  // '/etc/*' names the folder /etc/app.d itself, so it is shipped (empty in app: its file is unshipped).
  assert.equal(dirs('app'), ['/etc', '/etc/app.d', '/usr', '/usr/bin', '/usr/lib', '/usr/share', '/usr/share/doc', '/usr/share/doc/app']);
  const paths = packages.get('app')!.map((e) => e.path);
  assert.equal(paths, [...paths].sort(), 'entries sorted, parents first');
  assert.is(new Set(paths).size, paths.length, 'each folder once');
  assert.not.ok(paths.includes('/var') || dirs('app-dev').includes('/var'), 'a folder with no packaged file is not carried');
});

test.run();
