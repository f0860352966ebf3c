import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { backoffDelay } from '../../core/fetch/transport/retry.js';
import { isTransient } from '../../core/fetch/transport/download-error.js';
import { sendCutOff, sendRange, serve, type TestServer } from '../helpers/http-server.js';
import { fetchWithEvents, remoteSource, testFetcher } from '../helpers/source-fetcher.js';
import { scratchDirs } from '../helpers/strata.js';

// The HTTP fetcher against a real server on 127.0.0.1 that misbehaves on
// purpose: redirects, 404, a 503 before it works, a server that stops
// talking, connections cut off mid-body (resumed with Range), a server that
// ignores Range or sends wrong bytes for it. Whatever happens, a file gets
// its final name only with the expected sha256.

const tempDir = scratchDirs(test);
const BODY = randomBytes(300_000);
const HALF = 120_000;
let server: TestServer;
let calls = new Map<string, number>();
const nth = (key: string) => {
  calls.set(key, (calls.get(key) ?? 0) + 1);
  return calls.get(key)!;
};

test.before(async () => {
  server = await serve({
    '/file.bin': BODY,
    '/old/file.bin': (_req, res) => res.writeHead(302, { location: '/file.bin' }).end(),
    '/loop/file.bin': (_req, res) => res.writeHead(301, { location: '/loop/file.bin' }).end(),
    '/busy/file.bin': (_req, res) => (nth('busy') === 1 ? res.writeHead(503).end('busy') : res.writeHead(200, { 'content-length': BODY.length }).end(BODY)),
    '/slow/file.bin': (_req, res) => {
      res.writeHead(200, { 'content-length': BODY.length });
      res.write(BODY.subarray(0, 1000)); // then nothing, until the client gives up
    },
    '/cut/file.bin': (req, res) => (nth('cut') === 1 ? sendCutOff(res, BODY, HALF) : sendRange(req, res, BODY)),
    '/norange/file.bin': (_req, res) => (nth('norange') === 1 ? sendCutOff(res, BODY, HALF) : res.writeHead(200, { 'content-length': BODY.length }).end(BODY)),
    '/badrange/file.bin': (req, res) => {
      const n = nth('badrange');
      if (n === 1) return sendCutOff(res, BODY, HALF);
      if (req.headers.range) return sendRange(req, res, Buffer.alloc(BODY.length, 7)); // wrong bytes for the rest
      res.writeHead(200, { 'content-length': BODY.length }).end(BODY);
    },
    '/wrong/file.bin': Buffer.alloc(BODY.length, 1),
  });
});
test.after(() => server.close());
test.before.each(() => {
  calls = new Map();
  server.requests.length = 0;
});

const requestsTo = (prefix: string) => server.requests.filter((r) => r.path.startsWith(prefix));

test('a redirect is followed and the file lands verified under its final name', async () => {
  const dir = tempDir();
  const { diag, events } = await fetchWithEvents(testFetcher(dir), remoteSource(`${server.url}/old/file.bin`, BODY));
  assert.is(diag, undefined);
  assert.equal(readFileSync(join(dir, 'file.bin')), BODY);
  assert.equal(readdirSync(dir).sort(), ['file.bin', 'file.bin.sha256'], 'no lock or partial is left behind');
  const last = events.filter((e) => e.state === 'progress').pop();
  assert.equal([last?.bytes, last?.total], [BODY.length, BODY.length], 'progress counts bytes up to the size the server gave');
});

test('a redirect loop ends after five hops', async () => {
  const { diag } = await fetchWithEvents(testFetcher(tempDir()), remoteSource(`${server.url}/loop/file.bin`, BODY));
  assert.match(diag!.hint!, 'too many redirects');
  assert.is(requestsTo('/loop').length, 6);
});

test('404 is not retried and is reported with the URL', async () => {
  const dir = tempDir();
  const { diag } = await fetchWithEvents(testFetcher(dir), remoteSource(`${server.url}/nothing/file.bin`, BODY));
  assert.is(diag?.code, 'fetch-missing');
  assert.match(diag!.hint!, `${server.url}/nothing/file.bin: HTTP 404`);
  assert.is(requestsTo('/nothing').length, 1);
  assert.equal(readdirSync(dir), []);
});

test('a 503 is retried after a pause, and the second answer is used', async () => {
  const dir = tempDir();
  const { diag, events } = await fetchWithEvents(testFetcher(dir), remoteSource(`${server.url}/busy/file.bin`, BODY));
  assert.is(diag, undefined);
  assert.is(requestsTo('/busy').length, 2);
  assert.match(events.find((e) => e.state === 'retry')?.detail ?? '', 'HTTP 503');
});

test('a server that stops sending is given up on after the idle timeout, retried, then reported', async () => {
  const dir = tempDir();
  const f = testFetcher(dir, { http: { idleTimeoutMs: 300 }, retry: { retries: 1, baseDelayMs: 5 } });
  const { diag } = await fetchWithEvents(f, remoteSource(`${server.url}/slow/file.bin`, BODY));
  assert.is(diag?.code, 'fetch-missing');
  assert.match(diag!.hint!, 'no data for 0.3 s');
  assert.is(requestsTo('/slow').length, 2, 'a timeout is transient: tried twice');
  assert.is(requestsTo('/slow')[1].headers.range, 'bytes=1000-', 'the retry continues after the bytes that came');
  assert.not.ok(existsSync(join(dir, 'file.bin')));
});

test('a server that never takes the connection is given up on after the connect timeout', async () => {
  // A listener with a backlog of 1 whose process never accepts: once two
  // connections wait in its queue (Linux takes backlog + 1), the kernel
  // leaves the next one unanswered.
  const listener = spawn(process.execPath, [
    '-e',
    `const s = require('net').createServer().listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
       console.log(s.address().port);
       Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0); // block: never accept
     });`,
  ]);
  try {
    const port = await new Promise<number>((resolve) => listener.stdout.once('data', (d) => resolve(Number(String(d).trim()))));
    const queued = [connect(port, '127.0.0.1'), connect(port, '127.0.0.1')];
    await Promise.all(queued.map((c) => new Promise((resolve) => c.once('connect', resolve))));
    const f = testFetcher(tempDir(), { http: { connectTimeoutMs: 300 }, retry: { retries: 0 } });
    const { diag } = await fetchWithEvents(f, remoteSource(`http://127.0.0.1:${port}/file.bin`, BODY));
    queued.forEach((c) => c.destroy());
    assert.is(diag?.code, 'fetch-missing');
    assert.match(diag!.hint!, 'no connection within 0.3 s');
  } finally {
    listener.kill('SIGKILL');
  }
});

test('a connection cut off mid-body is resumed with a Range request and the whole file verified', async () => {
  const dir = tempDir();
  const { diag } = await fetchWithEvents(testFetcher(dir), remoteSource(`${server.url}/cut/file.bin`, BODY));
  assert.is(diag, undefined);
  const reqs = requestsTo('/cut');
  assert.is(reqs.length, 2);
  assert.is(reqs[0].headers.range, undefined);
  assert.is(reqs[1].headers.range, `bytes=${HALF}-`);
  assert.equal(readFileSync(join(dir, 'file.bin')), BODY);
});

test('a server that ignores Range and sends everything again gives a whole, verified file', async () => {
  const dir = tempDir();
  const { diag } = await fetchWithEvents(testFetcher(dir), remoteSource(`${server.url}/norange/file.bin`, BODY));
  assert.is(diag, undefined);
  assert.is(requestsTo('/norange')[1].headers.range, `bytes=${HALF}-`);
  assert.equal(readFileSync(join(dir, 'file.bin')), BODY, 'the 200 body replaced the partial instead of being appended to it');
});

test('wrong bytes in a resumed part fail the sum, and the file is fetched whole once more', async () => {
  const dir = tempDir();
  const { diag } = await fetchWithEvents(testFetcher(dir), remoteSource(`${server.url}/badrange/file.bin`, BODY));
  assert.is(diag, undefined);
  const reqs = requestsTo('/badrange');
  assert.equal(
    reqs.map((r) => r.headers.range),
    [undefined, `bytes=${HALF}-`, undefined],
  );
  assert.equal(readFileSync(join(dir, 'file.bin')), BODY);
});

test('wrong bytes fail the sum and leave nothing behind, partial or final', async () => {
  const dir = tempDir();
  const { diag } = await fetchWithEvents(testFetcher(dir), remoteSource(`${server.url}/wrong/file.bin`, BODY));
  assert.is(diag?.code, 'fetch-checksum');
  assert.match(diag!.message, /has sha256 [0-9a-f]{64}/);
  assert.equal(readdirSync(dir), []);
});

test('a partial file left by an earlier run is resumed from where it stopped', async () => {
  const dir = tempDir();
  const f = testFetcher(dir);
  const src = remoteSource(`${server.url}/file.bin`, BODY);
  await f.dir.prepare();
  writeFileSync(f.dir.partialPath(src.name, src.sha256), BODY.subarray(0, 5000));
  const { diag } = await fetchWithEvents(f, src);
  assert.is(diag, undefined);
  assert.is(requestsTo('/file.bin')[0].headers.range, 'bytes=5000-');
  assert.equal(readFileSync(join(dir, 'file.bin')), BODY);
});

test('credentials in a URL never reach a diagnostic', async () => {
  const dir = tempDir();
  const url = server.url.replace('http://', 'http://user:secret@') + '/nothing/file.bin';
  const { diag, events } = await fetchWithEvents(testFetcher(dir), remoteSource(url, BODY));
  assert.not.match(JSON.stringify(diag) + JSON.stringify(events.map((e) => e.from)), 'secret');
});

test('what counts as transient, and how long the pauses are', () => {
  const url = 'http://h/x';
  assert.ok(isTransient({ reason: 'status', url, status: 503 }));
  assert.ok(isTransient({ reason: 'status', url, status: 429 }));
  assert.not.ok(isTransient({ reason: 'status', url, status: 404 }));
  assert.not.ok(isTransient({ reason: 'status', url, status: 403 }));
  assert.ok(isTransient({ reason: 'cut-off', url, got: 1 }));
  assert.ok(isTransient({ reason: 'network', url, code: 'ECONNRESET', detail: '' }));
  assert.not.ok(isTransient({ reason: 'network', url, code: 'ECONNREFUSED', detail: '' }));
  assert.not.ok(isTransient({ reason: 'disk-full', dir: '/d' }));
  const policy = { retries: 5, baseDelayMs: 100, maxDelayMs: 1000 };
  assert.equal(
    [0, 1, 2, 3, 4].map((n) => backoffDelay(n, policy, () => 1)),
    [100, 200, 400, 800, 1000],
    'doubling, capped',
  );
  assert.equal(
    [0, 1, 2].map((n) => backoffDelay(n, policy, () => 0)),
    [50, 100, 200],
    'at least half of it, whatever the jitter',
  );
});

test.run();
