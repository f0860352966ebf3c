import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatDiagnostic } from '../../core/diagnostics/printer.js';
import { redactText, redactUrl } from '../../core/diagnostics/redact.js';
import { serve } from '../helpers/http-server.js';
import { fetchProject } from '../helpers/fetch-project.js';
import { sha256 } from '../helpers/source-fetcher.js';
import { scratchDirs, strata, writeTree } from '../helpers/strata.js';

// Hostile: a source URL carrying credentials, with an `@` inside the
// password. The redaction cut at the first `@` and printed the rest of the
// password, and a diagnostic quoted the recipe line with the URL whole. No
// credential may appear in any output, log, index or JSON.

const tempDir = scratchDirs(test);
const PASSWORD = 'p@ss';

const cases: [string, string][] = [
  ['https://user:p@ss@host/x', 'https://***@host/x'],
  ['https://user:p@ss@word@host:8080/x.tar.gz', 'https://***@host:8080/x.tar.gz'],
  ['https://user:p%40ss@host/x', 'https://***@host/x'],
  ['https://token@host/x', 'https://***@host/x'],
  ['https://:secret@host', 'https://***@host'],
  ['https://user:p@ss@host?x=1', 'https://***@host?x=1'],
  // No credentials: an `@` after the authority is part of the path or query.
  ['https://host/pkg@1.0/x.tar.gz', 'https://host/pkg@1.0/x.tar.gz'],
  ['https://host/x?mail=a@b', 'https://host/x?mail=a@b'],
  ['debian://pool/main/b/busybox/busybox_1.35.0.orig.tar.bz2', 'debian://pool/main/b/busybox/busybox_1.35.0.orig.tar.bz2'],
];

test('redactUrl hides every credential, also with @ in the password, and leaves other @ alone', () => {
  for (const [url, want] of cases) assert.is(redactUrl(url), want, url);
});

test('redactText hides credentials of every URL in a text', () => {
  const text = '  - url: https://user:p@ss@host/a.tar.gz # mirror: http://u:x@y@other/b and mail me at a@b';
  assert.is(redactText(text), '  - url: https://***@host/a.tar.gz # mirror: http://***@other/b and mail me at a@b');
});

test('the diagnostics printer redacts the quoted source line', () => {
  const dir = tempDir();
  writeTree(dir, { 'r.yaml': 'sources:\n  - url: https://builder:p@ss@127.0.0.1/x.tar.gz\n' });
  const text = formatDiagnostic({ severity: 'error', code: 'fetch-missing', message: 'x', location: { file: join(dir, 'r.yaml'), line: 2, column: 10 } });
  assert.match(text, 'https://***@127.0.0.1/x.tar.gz');
  assert.not.match(text, PASSWORD);
  assert.not.match(text, 'builder');
});

/** Serves `body` only to requests with basic auth builder:p@ss (RFC 7617). */
function authServer(body: Buffer) {
  const want = 'Basic ' + Buffer.from(`builder:${PASSWORD}`).toString('base64');
  return serve({
    '/pkg.tar.gz': (req, res) => {
      if (req.headers.authorization !== want) res.writeHead(401).end('who are you');
      else res.writeHead(200, { 'content-length': body.length }).end(body);
    },
  });
}

const leaks = (text: string): boolean => text.includes(PASSWORD) || text.includes('ss@127') || text.includes('builder:');

test('strata fetch and mirror create: credentials reach the server, and never stdout, stderr or index.json', async () => {
  const body = Buffer.from('a tarball behind basic auth\n');
  const server = await authServer(body);
  try {
    const url = `${server.url.replace('http://', `http://builder:${PASSWORD}@`)}/pkg.tar.gz`;
    // A wrong sum: the diagnostic quotes the recipe line with the URL.
    const bad = fetchProject(tempDir(), { pkg: [{ url, sha256: sha256('other bytes') }] });
    const r1 = await strata(['fetch', 'pkg', '--project', bad]);
    assert.is(r1.code, 2, r1.stdout + r1.stderr);
    assert.match(r1.stderr, 'fetch-checksum');
    assert.match(r1.stderr, '***@127.0.0.1');
    assert.not.ok(leaks(r1.stdout + r1.stderr), r1.stdout + r1.stderr);

    const good = fetchProject(tempDir(), { pkg: [{ url, sha256: sha256(body) }] });
    const mirror = tempDir();
    const r2 = await strata(['mirror', 'create', mirror, 'pkg', '--project', good]);
    assert.is(r2.code, 0, r2.stdout + r2.stderr);
    assert.not.ok(leaks(r2.stdout + r2.stderr), r2.stdout + r2.stderr);
    const index = readFileSync(join(mirror, 'index.json'), 'utf8');
    assert.match(index, '***@127.0.0.1');
    assert.not.ok(leaks(index), index);

    // Unreachable with credentials: the "tried" list names the place redacted.
    const gone = fetchProject(tempDir(), { pkg: [{ url: `http://builder:${PASSWORD}@127.0.0.1:9/pkg.tar.gz`, sha256: sha256(body) }] });
    const r3 = await strata(['fetch', 'pkg', '--project', gone]);
    assert.is(r3.code, 2);
    assert.not.ok(leaks(r3.stdout + r3.stderr), r3.stdout + r3.stderr);
  } finally {
    await server.close();
  }
});

test.run();
