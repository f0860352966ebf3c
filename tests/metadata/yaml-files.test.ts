import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import fg from 'fast-glob';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { yamlFiles } from '../../core/metadata/yaml-files.js';
import { scratchDirs, writeTree } from '../helpers/strata.js';

// The catalog finds a layer's YAML files with a directory walk instead of
// loading fast-glob on every start; it must find exactly what fast-glob's
// `**/*.yaml` and `*.yaml` found, on a tree made to trip a walker.

const tempDir = scratchDirs(test);

function hostileTree(): string {
  const dir = tempDir('strata-yaml-files-');
  writeTree(dir, {
    'a.yaml': 'x: 1\n',
    'b.yml': 'not ours\n',
    'c.yaml.bak': 'no\n',
    '.hidden.yaml': 'dotfile\n',
    '.git/config.yaml': 'in a dot folder\n',
    'frag.inc.yaml': 'fragment\n',
    'deep/er/d.yaml': 'deep\n',
    'deep/er/e.inc.yaml': 'deep fragment\n',
    'deep/.dot/f.yaml': 'under a dot folder\n',
    'with space/g.yaml': 'space\n',
    'elsewhere/h.yaml': 'reached through a link\n',
  });
  mkdirSync(join(dir, 'empty'));
  mkdirSync(join(dir, 'folder.yaml'));
  symlinkSync(join(dir, 'elsewhere'), join(dir, 'linked'));
  symlinkSync(join(dir, 'a.yaml'), join(dir, 'link.yaml'));
  symlinkSync(join(dir, 'nowhere.yaml'), join(dir, 'broken.yaml'));
  return dir;
}

test('deep: the files fast-glob **/*.yaml finds, fragments excepted as its ignore did', () => {
  const dir = hostileTree();
  const glob = fg.sync('**/*.yaml', { cwd: dir, absolute: true, ignore: ['**/*.inc.yaml'] }).sort();
  const walk = yamlFiles(dir, { deep: true, except: (n) => n.endsWith('.inc.yaml') });
  assert.equal(walk, glob);
  assert.ok(walk.includes(join(dir, 'linked/h.yaml')), 'a linked folder is walked');
  assert.not.ok(walk.includes(join(dir, 'deep/.dot/f.yaml')), 'a dot folder is not');
});

test('flat: the files fast-glob *.yaml finds; a missing folder is empty', () => {
  const dir = hostileTree();
  assert.equal(yamlFiles(dir), fg.sync('*.yaml', { cwd: dir, absolute: true }).sort());
  assert.equal(yamlFiles(join(dir, 'missing')), []);
  assert.equal(yamlFiles(join(dir, 'a.yaml')), [], 'a file is not a folder');
});

test.run();
