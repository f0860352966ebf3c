import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { appendFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checksProject } from '../helpers/fixture-project.js';
import { serve, type TestServer } from '../helpers/http-server.js';
import { scratchDirs, strata } from '../helpers/strata.js';

// strata mirror create / verify: a self-contained mirror of a target's
// sources with an index; verify finds missing, corrupt and extra files; a
// fresh project builds from the mirror alone, offline, with the server gone.

const tempDir = scratchDirs(test);
let server: TestServer;
test.before(async () => {
  server = await serve({ '/hello.txt': 'hello\n' });
});
test.after(() => server.close());

const HELLO_SHA = '5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03';
let mirror: string;

test('create fetches the closure and writes the files by checksum with an index', async () => {
  const project = checksProject(tempDir, server.url);
  mirror = join(tempDir('strata-mirror-'), 'product-mirror');
  const r = await strata(['mirror', 'create', mirror, 'hello-fetch', '--project', project]);
  assert.is(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /: 1 files \(0\.0 MiB\) for hello-fetch, listed in index\.json/);
  assert.is(readFileSync(join(mirror, 'sha256', HELLO_SHA), 'utf8'), 'hello\n');
  const index = JSON.parse(readFileSync(join(mirror, 'index.json'), 'utf8'));
  assert.equal(index, {
    format: 1,
    files: [
      { name: 'hello.txt', sha256: HELLO_SHA, size: 6, url: `${server.url}/hello.txt`, license: 'MIT', recipes: ['hello-fetch'], path: `sha256/${HELLO_SHA}` },
    ],
  });
  const ok = await strata(['mirror', 'verify', mirror]);
  assert.is(ok.code, 0, ok.stdout + ok.stderr);
  assert.match(ok.stdout, '1 files checked; 0 missing, 0 corrupt, 0 extra');
});

test('a fresh project builds from the created mirror alone, offline, without the server', async () => {
  const hits = server.hits.get('/hello.txt') ?? 0;
  const project = checksProject(tempDir, 'http://127.0.0.1:9');
  writeFileSync(
    join(project, 'strata.yaml'),
    readFileSync(join(project, 'strata.yaml'), 'utf8')
      .replace(/mirrors: \[.*\]/, `mirrors: [${mirror}]`)
      .replace('offline: false', 'offline: true'),
  );
  const r = await strata(['build', 'hello-fetch', '--project', project]);
  assert.is(r.code, 0, r.stdout + r.stderr);
  assert.is(readFileSync(join(project, 'build/work/qemuarm64/hello-fetch-1.0/image/usr/share/hello/HELLO.txt'), 'utf8'), 'HELLO\n');
  assert.is(server.hits.get('/hello.txt') ?? 0, hits, 'the server was not asked');
});

test('verify reports corrupt, missing and extra files and exits 1', async () => {
  appendFileSync(join(mirror, 'sha256', HELLO_SHA), 'tampered');
  writeFileSync(join(mirror, 'stray.tar.gz'), 'x');
  const bad = await strata(['mirror', 'verify', mirror]);
  assert.is(bad.code, 1);
  assert.match(bad.stderr, `corrupt  sha256/${HELLO_SHA}: expected sha256 ${HELLO_SHA} (6 bytes)`);
  assert.match(bad.stderr, 'extra    stray.tar.gz: not in index.json');
  assert.match(bad.stdout, '1 files checked; 0 missing, 1 corrupt, 1 extra');
  rmSync(join(mirror, 'sha256', HELLO_SHA));
  const gone = await strata(['mirror', 'verify', mirror]);
  assert.is(gone.code, 1);
  assert.match(gone.stderr, `missing  sha256/${HELLO_SHA}: hello.txt, from ${server.url}/hello.txt`);
  const none = await strata(['mirror', 'verify', tempDir('strata-empty-')]);
  assert.is(none.code, 1);
  assert.match(none.stderr, 'no readable index.json');
});

test('mirror import lists what it files, so verify checks it too', async () => {
  const dir = tempDir('strata-import-');
  const file = join(dir, 'busybox_1.35.0.orig.tar.bz2');
  writeFileSync(file, 'pretend tarball\n');
  const folder = join(dir, 'mirror');
  const r = await strata(['mirror', 'import', folder, file]);
  assert.is(r.code, 0, r.stderr);
  const index = JSON.parse(readFileSync(join(folder, 'index.json'), 'utf8'));
  assert.is(index.files[0].name, 'busybox_1.35.0.orig.tar.bz2');
  assert.is(index.files[0].url, `file://${file}`);
  const ok = await strata(['mirror', 'verify', folder]);
  assert.is(ok.code, 0, ok.stdout + ok.stderr);
});

test.run();
