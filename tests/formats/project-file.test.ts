import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadProject, projectFileText } from '../../core/config/project.js';
import { METADATA_FORMAT } from '../../core/metadata/schema.js';
import { scratchDirs, writeTree } from '../helpers/strata.js';

// strata.yaml's writer (used by `strata release` and `strata reproduce`)
// sits beside its reader: what it writes reads back as the same project,
// under the format this Strata writes.

const tempDir = scratchDirs(test);

test('round trip: settings replaced, others kept as written, dropped ones gone, format first', () => {
  const dir = tempDir();
  writeTree(dir, {
    'strata.yaml': [
      'machine: board',
      'distro: testdistro',
      'jobs: 3',
      'vars:',
      '  GREETING: "hello: world"',
      '  EMPTY:',
      'masks: [core/recipes/x*.yaml]',
      'preferred-versions: { busybox: 1.35.% }',
      'remote-cache: https://cache.example.org/',
      'fetch-retries: 0',
      '',
    ].join('\n'),
  });
  const project = loadProject(dir);
  const text = projectFileText(project, { layers: ['/abs/core'], offline: true, cache: false, mirrors: ['mirror'] }, ['remote-cache'], 'a derived project');
  assert.ok(text.startsWith('# a derived project\nformat: 1\n'), text);
  const out = tempDir();
  writeTree(out, { 'strata.yaml': text });
  const back = loadProject(out);
  assert.equal(back.layers, ['/abs/core']);
  assert.equal([back.machine, back.distro, back.jobs, back.offline, back.cache, back.remoteCache], ['board', 'testdistro', 3, true, undefined, undefined]);
  assert.equal(back.mirrors, [join(out, 'mirror')]);
  assert.equal(back.fetch.retries, 0);
  assert.equal(
    back.assignments.map((a) => [a.name, a.value]),
    project.assignments.map((a) => [a.name, a.value]),
  );
  assert.equal(
    back.masks.map((m) => m.pattern),
    ['core/recipes/x*.yaml'],
  );
  assert.is(back.preferredVersions.get('busybox')?.pattern, '1.35.%');
  assert.match(readFileSync(join(out, 'strata.yaml'), 'utf8'), `format: ${METADATA_FORMAT}`);
});

test('a project without a file, and one that names an older format, are written in the current one', () => {
  const none = loadProject(tempDir());
  assert.is(projectFileText(none, { machine: 'm' }, [], 'h'), `# h\nformat: ${METADATA_FORMAT}\nmachine: m\n`);
  const dir = tempDir();
  writeTree(dir, { 'strata.yaml': 'format: 1\nmachine: board\n' });
  assert.is(projectFileText(loadProject(dir), {}, [], 'h'), `# h\nformat: ${METADATA_FORMAT}\nmachine: board\n`);
});

test.run();
