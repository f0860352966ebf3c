import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hostAllowed } from '../../core/fetch/transport/allowed-hosts.js';
import { serve, type TestServer } from '../helpers/http-server.js';
import { fetchProject } from '../helpers/fetch-project.js';
import { fetchWithEvents, remoteSource, sha256, testFetcher } from '../helpers/source-fetcher.js';
import { scratchDirs, strata } from '../helpers/strata.js';

// `allowed-hosts:` limits the upstream hosts the fetch phase contacts,
// redirects included; a refusal names the host and the recipe. Premirrors
// and mirrors are not limited by it.

const tempDir = scratchDirs(test);
const BODY = 'allowed or not\n';
let server: TestServer;
let port = '';
test.before(async () => {
  server = await serve({
    '/file.txt': BODY,
    '/to-localhost/file.txt': (_req, res) => res.writeHead(302, { location: `http://localhost:${port}/file.txt` }).end(),
  });
  port = new URL(server.url).port;
});
test.after(() => server.close());
test.before.each(() => {
  server.requests.length = 0;
});

test('patterns: exact names, and *.domain for the domain and every name under it', () => {
  assert.ok(hostAllowed('example.org', ['example.org']));
  assert.not.ok(hostAllowed('www.example.org', ['example.org']));
  assert.ok(hostAllowed('www.example.org', ['*.example.org']));
  assert.ok(hostAllowed('a.b.example.org', ['*.example.org']));
  assert.ok(hostAllowed('example.org', ['*.example.org']), 'as in BitBake, *.example.org covers example.org itself');
  assert.not.ok(hostAllowed('badexample.org', ['*.example.org']));
  assert.ok(hostAllowed('Example.ORG.', ['example.org']), 'case and a trailing dot do not matter');
  assert.not.ok(hostAllowed('127.0.0.1', []), 'an empty list allows nothing');
});

test('an upstream host outside the list is refused, naming host and recipe, without a request', async () => {
  const f = testFetcher(tempDir(), { allowedHosts: { patterns: ['*.example.org'] } });
  const { diag } = await fetchWithEvents(f, remoteSource(`${server.url}/file.txt`, BODY));
  assert.is(diag?.code, 'fetch-host-not-allowed');
  assert.match(diag!.message, 'test-recipe');
  assert.match(diag!.message, 'host 127.0.0.1');
  assert.match(diag!.hint!, "add '127.0.0.1'");
  assert.is(server.requests.length, 0);
});

test('a redirect to a host outside the list is refused too', async () => {
  const f = testFetcher(tempDir(), { allowedHosts: { patterns: ['127.0.0.1'] } });
  const { diag } = await fetchWithEvents(f, remoteSource(`${server.url}/to-localhost/file.txt`, BODY));
  assert.is(diag?.code, 'fetch-host-not-allowed');
  assert.match(diag!.message, 'host localhost');
  assert.equal(
    server.requests.map((r) => r.path),
    ['/to-localhost/file.txt'],
    'the redirect target was never asked',
  );
});

test('mirrors are not limited by allowed-hosts', async () => {
  const mirror = tempDir();
  mkdirSync(join(mirror, 'sha256'));
  writeFileSync(join(mirror, 'sha256', sha256(BODY)), BODY);
  const premirror = `${server.url}/pre`; // an http mirror on a host that is not in the list
  const dir = tempDir();
  const f = testFetcher(dir, { allowedHosts: { patterns: [] }, premirrors: [premirror], mirrors: [mirror] });
  const { diag } = await fetchWithEvents(f, remoteSource(`${server.url}/file.txt`, BODY));
  assert.is(diag, undefined);
  assert.is(readFileSync(join(dir, 'file.txt'), 'utf8'), BODY);
  assert.ok(
    server.requests.every((r) => r.path.startsWith('/pre/')),
    'the premirror was asked, upstream was not',
  );
});

test('strata fetch: the refusal points at the recipe and at allowed-hosts in strata.yaml', async () => {
  const dir = fetchProject(tempDir(), { guarded: [{ url: `${server.url}/file.txt`, sha256: sha256(BODY) }] }, [
    'allowed-hosts: ["*.example.org", git.example.com]',
  ]);
  const r = await strata(['fetch', 'guarded', '--project', dir]);
  assert.is(r.code, 2, r.stdout + r.stderr);
  assert.match(r.stderr, `${join(dir, 'layer/recipes/guarded.yaml')}:5:`);
  assert.match(r.stderr, 'error[fetch-host-not-allowed]: guarded:');
  assert.match(r.stderr, 'needs host 127.0.0.1, which is not in allowed-hosts');
  assert.match(r.stderr, `note: ${join(dir, 'strata.yaml')}:3:1: allowed-hosts: *.example.org, git.example.com`);
  assert.is(server.requests.length, 0);
});

test.run();
