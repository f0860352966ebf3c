import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { sendRange, serve, type TestServer } from '../helpers/http-server.js';
import { downloadsOf, fetchProject } from '../helpers/fetch-project.js';
import { sha256 } from '../helpers/source-fetcher.js';
import { CLI, scratchDirs, strata } from '../helpers/strata.js';

// Real `strata fetch` processes sharing one download folder: two at once
// download a file once and both succeed; one killed with SIGKILL in the
// middle leaves nothing under the final name, and the next run takes over
// its lock, resumes its partial file with Range and verifies the result.
// The server holds the first download in the middle until the test lets it
// go, so the overlap is certain, not a matter of timing.

const tempDir = scratchDirs(test);
const BODY = randomBytes(3 << 20);
const FIRST = 1536 << 10; // sent before the server stalls; over the 1 MiB a partial file buffers
let server: TestServer;
let stall: { sent: Promise<void>; release: () => void } | undefined;

test.before(async () => {
  server = await serve({
    '/big.bin': (req, res) => {
      if (!stall || req.headers.range) return sendRange(req, res, BODY);
      const s = stall;
      stall = undefined;
      let sent!: () => void;
      s.sent = new Promise((r) => (sent = r));
      res.writeHead(200, { 'content-length': BODY.length });
      res.write(BODY.subarray(0, FIRST), () => sent());
      s.release = () => res.end(BODY.subarray(FIRST));
    },
  });
});
test.after(() => server.close());

/** Makes the next plain (non-Range) request stall after FIRST bytes; resolves once it has. */
function stallNext(): { stalled: Promise<void>; release: () => void } {
  const s = { sent: new Promise<void>(() => {}), release: () => {} };
  stall = s;
  const stalled = (async () => {
    while (stall === s) await sleep(10); // until the request arrives
    await s.sent;
  })();
  return { stalled, release: () => s.release() };
}

function fetchProcess(project: string): { child: ChildProcessWithoutNullStreams; stdout: () => string; exit: Promise<number | null> } {
  const child = spawn(process.execPath, [CLI, 'fetch', 'big', '--project', project], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  return { child, stdout: () => out, exit: new Promise((r) => child.on('close', (code) => r(code))) };
}

async function until(check: () => boolean): Promise<void> {
  while (!check()) await sleep(10);
}

const project = () => fetchProject(tempDir(), { big: [{ url: `${server.url}/big.bin`, sha256: sha256(BODY) }] });

test('two fetches at once on one download folder: one downloads, the other waits, both succeed', async () => {
  const dir = project();
  server.requests.length = 0;
  const { stalled, release } = stallNext();
  const a = fetchProcess(dir);
  await stalled; // a holds the lock and is in the middle of the body
  const b = fetchProcess(dir);
  await until(() => b.stdout().includes('wait    big.bin'));
  release();
  assert.is(await a.exit, 0, a.stdout());
  assert.is(await b.exit, 0, b.stdout());
  assert.is(server.requests.length, 1, 'downloaded once');
  assert.equal(readFileSync(join(downloadsOf(dir), 'big.bin')), BODY);
  assert.equal(readdirSync(downloadsOf(dir)).sort(), ['big.bin', 'big.bin.sha256']);
});

test('SIGKILL in the middle of a download leaves no final file; the next run resumes and verifies', async () => {
  const dir = project();
  server.requests.length = 0;
  const { stalled, release } = stallNext();
  const a = fetchProcess(dir);
  await stalled;
  const downloads = downloadsOf(dir);
  const partialName = () => readdirSync(downloads).find((f) => f.endsWith('.part'));
  await until(() => !!partialName() && statSync(join(downloads, partialName()!)).size > 0);
  a.child.kill('SIGKILL');
  await a.exit;
  release();

  assert.not.ok(existsSync(join(downloads, 'big.bin')), 'nothing under the final name');
  assert.ok(existsSync(join(downloads, '.big.bin.lock')), 'the dead process left its lock');
  const kept = statSync(join(downloads, partialName()!)).size;

  const b = await strata(['fetch', 'big', '--project', dir]);
  assert.is(b.code, 0, b.stdout + b.stderr);
  assert.match(b.stdout, /unlock {2}big\.bin: process \d+ died/);
  assert.is(server.requests[1].headers.range, `bytes=${kept}-`, 'resumed where the killed process stopped');
  assert.equal(readFileSync(join(downloads, 'big.bin')), BODY);
  assert.equal(readdirSync(downloads).sort(), ['big.bin', 'big.bin.sha256'], 'lock and partial are gone');
});

test('four fetches of twelve files at once: each file downloaded once, all verified', async () => {
  const files = Array.from({ length: 12 }, (_, i) => ({ path: `/many/f${i}.bin`, body: randomBytes(200_000 + i) }));
  const many = await serve(Object.fromEntries(files.map((f) => [f.path, f.body])));
  try {
    const dir = fetchProject(tempDir(), { big: files.map((f) => ({ url: `${many.url}${f.path}`, sha256: sha256(f.body) })) });
    const runs = Array.from({ length: 4 }, () => fetchProcess(dir));
    for (const r of runs) assert.is(await r.exit, 0, r.stdout());
    for (const f of files) {
      assert.is(many.hits.get(f.path), 1, f.path);
      assert.equal(readFileSync(join(downloadsOf(dir), f.path.slice('/many/'.length))), f.body);
    }
    assert.is(readdirSync(downloadsOf(dir)).length, 24, 'each file and its .sha256 note, nothing else');
  } finally {
    await many.close();
  }
});

test.run();
