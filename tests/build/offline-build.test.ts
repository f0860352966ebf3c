import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, statSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { serve, type TestServer } from '../helpers/http-server.js';
import { checksProject } from '../helpers/fixture-project.js';
import { scratchDirs, strata } from '../helpers/strata.js';

// Build tasks run offline and leave run.<task> and log.<task>; a second
// build with nothing changed runs nothing.

let server: TestServer;
const tempDir = scratchDirs(test);
test.before(async () => {
  server = await serve({ '/hello.txt': 'hello\n' });
});
test.after(() => server.close());

const logs = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.startsWith('log.'))
    .map((f) => `${f}@${statSync(join(dir, f)).mtimeMs}`)
    .sort();

test('each task leaves its exact script and its log; a rebuild with nothing changed runs no task', async () => {
  const dir = checksProject(tempDir, server.url);
  const first = await strata(['build', 'hello-fetch', '--project', dir]);
  assert.is(first.code, 0, first.stderr + first.stdout);
  const work = join(dir, 'build/work/qemuarm64/hello-fetch-1.0');
  for (const t of ['unpack', 'compile', 'install']) {
    assert.ok(existsSync(join(work, `run.${t}`)), `run.${t}`);
    assert.ok(existsSync(join(work, `log.${t}`)), `log.${t}`);
  }
  assert.match(readFileSync(join(work, 'run.compile'), 'utf8'), 'tr a-z A-Z < hello.txt > HELLO.txt');
  const before = logs(work);
  const second = await strata(['build', 'hello-fetch', '--project', dir]);
  assert.is(second.code, 0, second.stderr);
  assert.match(second.stdout, /Nothing to do: all \d+ tasks of hello-fetch are up to date/);
  assert.equal(logs(work), before, 'no log file was written again');
});

test('a compile task that connects to a local server fails, and says it has no network', async () => {
  const dir = checksProject(tempDir, server.url);
  const r = await strata(['build', 'netcheck', '--project', dir]);
  assert.is(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stderr, 'netcheck:compile failed');
  assert.match(r.stderr, 'build tasks have no network');
  assert.is(server.hits.get('/net-probe') ?? 0, 0, 'the server saw no request');
  assert.not.ok(existsSync(join(dir, 'build/stamps/qemuarm64/netcheck/compile.json')), 'a failed task gets no stamp');
});

test.run();
