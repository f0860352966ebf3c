import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chmodSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { explainChange } from '../../core/signature/explain.js';
import { normalizePaths, pathRoots } from '../../core/signature/normalize.js';
import { signatureOf, signatureRecord, type SignatureRecord } from '../../core/signature/signature.js';
import { treeHash } from '../../core/signature/tree-hash.js';
import { scratchDirs, writeTree } from '../helpers/strata.js';

// The pure parts of signatures: records are sorted and path-free, JOBS is
// left out, tree hashes see content and modes but not times, and two
// records are compared as change records.

const tempDir = scratchDirs(test);
const roots = pathRoots({ TOPDIR: '/home/a/project/build', DL_DIR: '/home/a/project/downloads', LAYERDIR_core: '/opt/strata/layers/core' });

test('paths of this build become names, the longest root first', () => {
  assert.is(
    normalizePaths('cd /home/a/project/build/work/x && cp /opt/strata/layers/core/files/p .', roots),
    'cd ${TOPDIR}/work/x && cp ${LAYERDIR_core}/files/p .',
  );
});

test('two build folders give the same signature; JOBS and key order do not matter', () => {
  const a = signatureRecord('app:compile', { vars: { B: '/home/a/project/build/work/app', JOBS: '2', CFLAGS: '-O2' } }, { 'app:configure': 'x' }, roots);
  const otherRoots = pathRoots({ TOPDIR: '/srv/ci/42/build', DL_DIR: '/srv/dl', LAYERDIR_core: '/opt/strata/layers/core' });
  const b = signatureRecord('app:compile', { vars: { CFLAGS: '-O2', JOBS: '8', B: '/srv/ci/42/build/work/app' } }, { 'app:configure': 'x' }, otherRoots);
  assert.equal(a, b);
  assert.is(signatureOf(a), signatureOf(b));
  assert.equal(Object.keys(a.vars), ['B', 'CFLAGS']);
  const c = signatureRecord('app:compile', { vars: { B: '/home/a/project/build/work/app', CFLAGS: '-O3' } }, { 'app:configure': 'x' }, roots);
  assert.is.not(signatureOf(c), signatureOf(a));
});

test('tree hashes follow content and permission bits, not timestamps', () => {
  const dir = tempDir();
  writeTree(dir, { 'usr/bin/tool': 'x', 'etc/conf': 'a=1\n' });
  const first = treeHash(dir);
  utimesSync(join(dir, 'etc/conf'), new Date(0), new Date(0));
  assert.is(treeHash(dir), first, 'a new mtime changes nothing');
  chmodSync(join(dir, 'usr/bin/tool'), 0o755);
  const executable = treeHash(dir);
  assert.is.not(executable, first, 'a mode change is a change');
  writeFileSync(join(dir, 'etc/conf'), 'a=2\n');
  assert.is.not(treeHash(dir), executable, 'a content change is a change');
});

const before: SignatureRecord = {
  task: 't',
  format: 2,
  vars: { A: '1', GONE: 'x' },
  files: { 'p.patch': 'a'.repeat(64) },
  settings: 's1',
  deps: { 'x:install': 'o1' },
};
const after: SignatureRecord = {
  task: 't',
  format: 2,
  vars: { A: '2', NEW: 'y' },
  files: { 'p.patch': 'b'.repeat(64) },
  settings: 's2',
  deps: { 'x:install': 'o2' },
};

test('explainChange returns one record per changed variable, file, setting and dependency, in that order', () => {
  assert.equal(explainChange(before, after), [
    { kind: 'variable', name: 'A', old: '1', new: '2' },
    { kind: 'variable', name: 'GONE', old: 'x' },
    { kind: 'variable', name: 'NEW', new: 'y' },
    { kind: 'file', name: 'p.patch', old: 'a'.repeat(64), new: 'b'.repeat(64) },
    { kind: 'settings', old: 's1', new: 's2' },
    { kind: 'dependency', name: 'x:install', old: 'o1', new: 'o2' },
  ]);
  assert.equal(explainChange(after, after), []);
});

test('a record of another task format is one change: the format', () => {
  assert.equal(explainChange({ ...before, format: 1 }, after), [{ kind: 'format', old: 1, new: 2 }]);
});

test('variables carry where their value is set, when the caller knows; other records never do', () => {
  const at = { file: '/l/recipes/a.yaml', line: 4, column: 3 };
  const changes = explainChange(before, after, (name) => (name === 'A' ? at : undefined));
  assert.equal(changes[0], { kind: 'variable', name: 'A', old: '1', new: '2', location: at });
  assert.not.ok('location' in changes[1]);
  assert.ok(changes.filter((c) => c.kind !== 'variable').every((c) => !('location' in c)));
});

test('new and removed entries: only one side is present; an empty value is still a value', () => {
  const a = { ...before, vars: { E: '' }, files: {}, deps: {}, settings: '' };
  const b = { ...before, vars: {}, files: { f: 'c'.repeat(64) }, deps: { 'y:package': 'o' }, settings: '' };
  assert.equal(explainChange(a, b), [
    { kind: 'variable', name: 'E', old: '' },
    { kind: 'file', name: 'f', new: 'c'.repeat(64) },
    { kind: 'dependency', name: 'y:package', new: 'o' },
  ]);
});

test.run();
