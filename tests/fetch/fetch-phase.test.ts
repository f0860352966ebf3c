import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { serve, type TestServer } from '../helpers/http-server.js';
import { checksProject } from '../helpers/fixture-project.js';
import { scratchDirs, strata } from '../helpers/strata.js';

// The fetch phase against a real HTTP server on 127.0.0.1: downloads are
// verified before they get their final name, mismatches name everything a
// user needs, offline runs list every missing source at once, and mirrors
// serve files by checksum.

let server: TestServer;
const tempDir = scratchDirs(test);
test.before(async () => {
  server = await serve({ '/hello.txt': 'hello\n', '/other.txt': 'not what the recipe says\n' });
});
test.after(() => server.close());

test('a verified download lands under its final name and the build uses it', async () => {
  const dir = checksProject(tempDir, server.url);
  const r = await strata(['build', 'hello-fetch', '--project', dir]);
  assert.is(r.code, 0, r.stderr + r.stdout);
  assert.ok(existsSync(join(dir, 'downloads/hello.txt')));
  assert.ok(existsSync(join(dir, 'build/work/qemuarm64/hello-fetch-1.0/image/usr/share/hello/HELLO.txt')));
  assert.is(server.hits.get('/hello.txt'), 1);
});

test('a wrong sha256 fails in the fetch phase, before any build task, leaving nothing behind', async () => {
  const dir = checksProject(tempDir, server.url);
  const r = await strata(['build', 'badsum', '--project', dir]);
  assert.is(r.code, 2);
  assert.match(r.stderr, 'fetch-checksum');
  assert.match(r.stderr, 'badsum');
  assert.match(r.stderr, `${server.url}/other.txt`);
  assert.match(r.stderr, 'expected sha256 0000000000000000000000000000000000000000000000000000000000000000');
  assert.match(r.stderr, /has sha256 [0-9a-f]{64}/);
  const downloads = existsSync(join(dir, 'downloads')) ? readdirSync(join(dir, 'downloads')) : [];
  assert.equal(downloads, [], 'no file, partial or final, is left in the download folder');
  assert.not.ok(existsSync(join(dir, 'build/work/qemuarm64/badsum-1.0/log.unpack')), 'no build task ran');
});

test('offline: every missing source of the closure is reported in one run', async () => {
  const dir = checksProject(tempDir, server.url, { offline: true });
  const r = await strata(['fetch', 'two-missing', '--project', dir]);
  assert.is(r.code, 2);
  assert.match(r.stderr, 'missing-a.tar.gz');
  assert.match(r.stderr, 'missing-b.tar.gz');
  assert.match(r.stderr, 'offline');
  assert.is(server.hits.get('/missing-a.tar.gz'), undefined, 'offline never asks upstream');
});

test('a mirror filled by `strata mirror import` serves a file by checksum, offline', async () => {
  const mirror = tempDir();
  const renamed = join(tempDir(), 'debian-named_1.0.orig.txt');
  writeFileSync(renamed, 'hello\n');
  const imp = await strata(['mirror', 'import', mirror, renamed]);
  assert.is(imp.code, 0, imp.stderr);
  assert.ok(existsSync(join(mirror, 'sha256/5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03')));
  const dir = checksProject(tempDir, 'http://127.0.0.1:9', { offline: true });
  const r = await strata(['build', 'hello-fetch', '--project', dir, '--mirror', mirror]);
  assert.is(r.code, 0, r.stderr + r.stdout);
  assert.ok(existsSync(join(dir, 'downloads/hello.txt')));
});

test.run();
