import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RELEASE_LAYER, releaseProject } from '../helpers/release-project.js';
import { scratchDirs, strata } from '../helpers/strata.js';

// `strata archive-sources`: the sources, patches, recipes and licence texts
// of an image, and a licence manifest, as a folder and a tarball.

const tempDir = scratchDirs(test);
const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

test('sources, patches, recipes, licence texts and the licence manifest of the tiny image', async () => {
  const dir = releaseProject(tempDir);
  const out = join(tempDir(), 'legal');
  const r = await strata(['archive-sources', 'tiny', out, '--tarball'], { cwd: dir });
  assert.is(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, '2 sources and patches of 3 recipes, 1 licence files');
  assert.match(r.stdout, 'no licence file found in the sources of tiny-files');
  assert.is(sha(join(out, 'sources/hello-1.0/hello-1.0.tar.gz')), '87fa54be77342591380bc4b3ae927dfbb667542aea6359dc7c8f03c3b719daee');
  assert.is(readFileSync(join(out, 'sources/hello-1.0/greeting.patch'), 'utf8'), readFileSync(join(RELEASE_LAYER, 'recipes/hello/greeting.patch'), 'utf8'));
  assert.ok(readFileSync(join(out, 'sources/hello-1.0/hello.yaml'), 'utf8').includes('name: hello'), 'the recipe travels with its sources');
  assert.match(readFileSync(join(out, 'licenses/hello/hello-1.0/COPYING'), 'utf8'), 'MIT License');
  const manifest = readFileSync(join(out, 'license-manifest.txt'), 'utf8');
  assert.match(manifest, 'PACKAGE NAME: hello\nPACKAGE VERSION: 1.0\nRECIPE NAME: hello\nLICENSE: MIT OR Apache-2.0\n');
  assert.match(manifest, 'PACKAGE NAME: tiny-kernel (kernel, deployed beside the image)');
  const json = JSON.parse(readFileSync(join(out, 'license-manifest.json'), 'utf8'));
  const hello = json.recipes.find((x: { name: string }) => x.name === 'hello');
  assert.equal(hello.packages, ['hello']);
  assert.equal(hello.licenseFiles, ['licenses/hello/hello-1.0/COPYING']);
  assert.not.match(JSON.stringify(json), 's3cret');
  assert.not.match(JSON.stringify(json), dir, 'no host paths');

  // The tarball depends only on the content: a second archive is byte-identical.
  const again = join(tempDir(), 'legal');
  assert.is((await strata(['archive-sources', 'tiny', again, '--tarball'], { cwd: dir })).code, 0);
  assert.is(sha(`${again}.tar.gz`), sha(`${out}.tar.gz`));
});

test('a folder that is not empty is refused; a recipe is not an image', async () => {
  const dir = releaseProject(tempDir);
  const out = tempDir();
  mkdirSync(join(out, 'x'));
  writeFileSync(join(out, 'x/file'), '');
  const r = await strata(['archive-sources', 'tiny', out], { cwd: dir });
  assert.is(r.code, 2);
  assert.match(r.stderr, `${out} is not empty`);
  const rec = await strata(['archive-sources', 'hello', join(tempDir(), 'n')], { cwd: dir });
  assert.is(rec.code, 2);
  assert.match(rec.stderr, 'hello is a recipe, not an image');
});

test.run();
