import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { serve, type TestServer } from '../helpers/http-server.js';
import { downloadsOf, fetchProject } from '../helpers/fetch-project.js';
import { sha256 } from '../helpers/source-fetcher.js';
import { scratchDirs, strata } from '../helpers/strata.js';

// A downloaded source without sha256 is an error (strict checksums), but a
// helpful one: the fetch phase downloads it to a temp file, never under its
// final name, and the hint is the line to add, at the recipe's file:line.

const tempDir = scratchDirs(test);
let server: TestServer;
test.before(async () => {
  server = await serve({ '/tool-2.0.tar.gz': 'pretend this is a tarball\n' });
});
test.after(() => server.close());

test('the error for a missing sha256 prints the actual sum, at the recipe line, and stores nothing', async () => {
  const dir = fetchProject(tempDir(), { tool: [{ url: `${server.url}/tool-2.0.tar.gz` }] });
  const r = await strata(['fetch', 'tool', '--project', dir]);
  assert.is(r.code, 2, r.stdout + r.stderr);
  assert.match(r.stderr, 'error[source-no-checksum]');
  assert.match(r.stderr, `${join(dir, 'layer/recipes/tool.yaml')}:5:`);
  assert.match(r.stderr, `add  sha256: ${sha256('pretend this is a tarball\n')}`);
  assert.is(server.hits.get('/tool-2.0.tar.gz'), 1);
  const left = existsSync(downloadsOf(dir)) ? readdirSync(downloadsOf(dir)) : [];
  assert.equal(left, [], 'nothing under the final name, and no temp file either');
});

test('offline, the same error says why it cannot show the sum', async () => {
  const dir = fetchProject(tempDir(), { tool: [{ url: `${server.url}/tool-2.0.tar.gz` }] }, ['offline: true']);
  const before = server.hits.get('/tool-2.0.tar.gz') ?? 0;
  const r = await strata(['fetch', 'tool', '--project', dir]);
  assert.is(r.code, 2);
  assert.match(r.stderr, 'error[source-no-checksum]');
  assert.match(r.stderr, 'offline');
  assert.is(server.hits.get('/tool-2.0.tar.gz') ?? 0, before);
});

test.run();
