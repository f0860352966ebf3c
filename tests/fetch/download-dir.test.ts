import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DownloadDir } from '../../core/fetch/store/download-dir.js';
import { currentOwner, isStale } from '../../core/fetch/store/file-lock.js';
import type { FetchEvent } from '../../core/fetch/orchestrator.js';
import { serve, type TestServer } from '../helpers/http-server.js';
import { fetchWithEvents, remoteSource, testFetcher } from '../helpers/source-fetcher.js';
import { ROOT, scratchDirs } from '../helpers/strata.js';

// The download folder shared by several processes: one lock per name, a
// dead owner's lock removed by the next process, a live owner's waited for;
// a full disk reported with the folder's name and no file left behind.

const tempDir = scratchDirs(test);
const BODY = randomBytes(50_000);
let server: TestServer;
test.before(async () => {
  server = await serve({ '/file.bin': BODY });
});
test.after(() => server.close());

/** The pid of a process that has exited. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '']).pid!;
}

test('a lock is judged stale only when its owner provably no longer runs', () => {
  const me = currentOwner();
  assert.not.ok(isStale(me), 'this process is alive');
  assert.ok(isStale({ ...me, pid: deadPid() }), 'a dead pid on this host');
  assert.ok(isStale({ ...me, start: '1' }), 'a live pid that started at another time: reused by another process');
  assert.not.ok(isStale({ ...me, pid: deadPid(), host: 'elsewhere' }), 'another host cannot be judged from here');
  assert.not.ok(isStale({ ...me, pid: deadPid(), pidns: 'pid:[1]' }), 'nor can another pid namespace');
});

test('the lock of a process that died is removed and the fetch goes on', async () => {
  const dir = tempDir();
  const f = testFetcher(dir);
  const src = remoteSource(`${server.url}/file.bin`, BODY);
  await f.dir.prepare();
  const dead = { ...currentOwner(), pid: deadPid() };
  writeFileSync(f.dir.lockPath(src.name), JSON.stringify(dead));
  const { diag, events } = await fetchWithEvents(f, src);
  assert.is(diag, undefined);
  assert.equal(readFileSync(join(dir, 'file.bin')), BODY);
  const wait = events.find((e) => e.state === 'waiting');
  assert.equal([wait?.holder?.pid, wait?.stale], [dead.pid, true]);
  assert.not.ok(existsSync(f.dir.lockPath(src.name)));
});

test('a live owner is waited for; once it lets go, the file it fetched is used as is', async () => {
  const dir = tempDir();
  const f = testFetcher(dir);
  const src = remoteSource(`${server.url}/file.bin`, BODY);
  await f.dir.prepare();
  // Another process takes the lock and holds it until its stdin closes.
  const lockModule = pathToFileURL(join(ROOT, 'dist/core/fetch/store/file-lock.js')).href;
  const holder = spawn(process.execPath, [
    '--input-type=module',
    '-e',
    `import { FileLock } from '${lockModule}';
     const lock = await FileLock.acquire(${JSON.stringify(f.dir.lockPath(src.name))});
     console.log('locked');
     process.stdin.on('end', async () => { await lock.release(); process.exit(0); });
     process.stdin.resume();`,
  ]);
  await new Promise<void>((resolve) => holder.stdout.on('data', (d) => String(d).includes('locked') && resolve()));
  const asked = server.requests.length;
  const events: FetchEvent[] = [];
  let sawWait!: () => void;
  const waiting = new Promise<void>((r) => (sawWait = r));
  const finished = f.fetchOne(src, (e) => {
    events.push(e);
    if (e.state === 'waiting') sawWait();
  });
  await waiting;
  assert.is(events.find((e) => e.state === 'waiting')?.holder?.pid, holder.pid);
  // While it waits, the owner finishes the file.
  writeFileSync(join(dir, 'file.bin'), BODY);
  holder.stdin.end();
  assert.is(await finished, undefined);
  assert.ok(
    events.some((e) => e.state === 'present'),
    'found verified after the wait, not fetched again',
  );
  assert.is(server.requests.length, asked);
});

test('a full disk is reported with the download folder, and nothing is left under the final name', async () => {
  const dir = tempDir();
  // Every partial file is /dev/full, where each write fails with ENOSPC.
  const full = new DownloadDir(dir, () => open('/dev/full', 'a'));
  const f = testFetcher(dir, {}, full);
  const { diag } = await fetchWithEvents(f, remoteSource(`${server.url}/file.bin`, BODY));
  assert.is(diag?.code, 'fetch-disk-full');
  assert.match(diag!.message, `no space left on device in the download folder ${dir}`);
  assert.match(diag!.message, 'test-recipe');
  assert.equal(readdirSync(dir), [], 'no final file, no partial, no lock');
});

test.run();
