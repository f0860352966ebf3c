import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { scratchDirs, strata, writeTree } from '../helpers/strata.js';

// Hostile: `file://` sources that reach out of the recipe's layer. An
// absolute path (/etc/shadow), a relative one climbing out, and a symlink
// in the layer pointing out were all accepted, and the build copied the
// host file into its work folder, its outputs and the cache. Now a local
// source must resolve (symlinks followed) inside the recipe's layer(s), the
// project folder, or a folder strata.yaml allows with `file-source-dirs:`.

const tempDir = scratchDirs(test);

/** A project (layer inside it) whose one recipe `grab` has one file:// source; `outside` is a sibling folder with a secret. */
function project(url: string, extra: string[] = []): { dir: string; outside: string } {
  const root = tempDir();
  const dir = join(root, 'project');
  const outside = join(root, 'outside');
  writeTree(root, {
    'outside/secret.txt': 'host secret\n',
    'project/strata.yaml': ['layers: [layer]', 'mirrors: []', ...extra, ''].join('\n'),
    'project/layer/layer.yaml': 'name: grabber\npriority: 5\n',
    'project/layer/recipes/grab.yaml': ['name: grab', 'version: "1.0"', 'license: MIT', 'sources:', `  - url: ${url}`, ''].join('\n'),
    'project/layer/recipes/files/inside.txt': 'layer file\n',
    'project/notes/in-project.txt': 'project file\n',
  });
  return { dir, outside };
}

const fetch = (dir: string) => strata(['fetch', 'grab', '--project', dir]);

function refused(r: { code: number; stderr: string }, what: string): void {
  assert.is(r.code, 2, `${what}: ${r.stderr}`);
  assert.match(r.stderr, 'source-file-outside', what);
  assert.match(r.stderr, 'recipes/grab.yaml:5:', `${what}: the recipe line`);
  assert.match(r.stderr, 'file-source-dirs', `${what}: says how to allow a folder`);
}

test('an absolute host path is refused: /etc/shadow and a file beside the project', async () => {
  if (existsSync('/etc/shadow')) refused(await fetch(project('file:///etc/shadow').dir), '/etc/shadow');
  const root = tempDir();
  writeTree(root, { 'x.txt': 'x\n' });
  refused(await fetch(project(`file://${join(root, 'x.txt')}`).dir), 'absolute path outside');
});

test('a relative path climbing out of the layer and the project is refused', async () => {
  refused(await fetch(project('file://../../../outside/secret.txt').dir), '../ out');
});

test('a symlink in the layer pointing out of it is refused', async () => {
  const { dir, outside } = project('file://link.txt');
  symlinkSync(join(outside, 'secret.txt'), join(dir, 'layer/recipes/files/link.txt'));
  const r = await fetch(dir);
  refused(r, 'symlink');
  assert.match(r.stderr, 'through a symlink');
  // A symlinked folder too.
  const two = project('file://dir/secret.txt');
  symlinkSync(two.outside, join(two.dir, 'layer/recipes/files/dir'));
  refused(await fetch(two.dir), 'symlinked folder');
});

test('files of the layer and of the project folder are fine', async () => {
  const inLayer = await fetch(project('file://inside.txt').dir);
  assert.is(inLayer.code, 0, inLayer.stderr);
  const { dir } = project('file://../../notes/in-project.txt');
  const inProject = await fetch(dir);
  assert.is(inProject.code, 0, inProject.stderr);
});

test('a folder the project allows with file-source-dirs may be named, also through a symlink', async () => {
  const { dir, outside } = project('file://../../../outside/secret.txt', ['file-source-dirs: [../outside]']);
  const r = await fetch(dir);
  assert.is(r.code, 0, r.stderr);
  const linked = project('file://link.txt', ['file-source-dirs: [../outside]']);
  symlinkSync(join(linked.outside, 'secret.txt'), join(linked.dir, 'layer/recipes/files/link.txt'));
  const r2 = await fetch(linked.dir);
  assert.is(r2.code, 0, r2.stderr);
  assert.ok(outside);
});

test.run();
