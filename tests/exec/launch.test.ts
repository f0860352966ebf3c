import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lastValueFrom, toArray } from 'rxjs';
import { launch, runProcess, type LaunchSpec } from '../../core/exec/launch.js';
import { LineSplitter } from '../../core/exec/line-splitter.js';
import { describeExit, exitCode } from '../../core/exec/process-exit.js';
import { scratchDirs } from '../helpers/strata.js';

// The process launcher (core/exec/launch.ts) with real processes: how each
// way a process can end comes back as a value, that a timeout or an abort
// kills everything the process started (its whole group), and that output
// arriving in arbitrary chunks comes out as whole lines. Each case runs
// with pipes and in a pty, the two ways Strata starts processes.

const tempDir = scratchDirs(test);
const MODES: { name: string; pty: boolean }[] = [
  { name: 'pipes', pty: false },
  { name: 'pty', pty: true },
];
const sh = (script: string, extra: Partial<LaunchSpec> = {}, pty = false) =>
  launch({ file: '/bin/sh', args: ['-c', script], ...(pty ? { pty: true } : {}), ...extra });

/** Running: it exists and is not a zombie (killed, waiting for whoever adopted it to reap it). */
const alive = (pid: number): boolean => {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
};
/** A signal takes a moment to land: poll, do not time. */
async function gone(pid: number): Promise<boolean> {
  for (let i = 0; i < 250 && alive(pid); i++) await new Promise((r) => setTimeout(r, 40));
  return !alive(pid);
}
/** The pid the shell wrote, once the whole line is there (the redirect makes the file before echo fills it). */
async function readPid(file: string): Promise<number> {
  const written = () => existsSync(file) && readFileSync(file, 'utf8').endsWith('\n');
  for (let i = 0; i < 250 && !written(); i++) await new Promise((r) => setTimeout(r, 20));
  return Number(readFileSync(file, 'utf8').trim());
}

test('LineSplitter: lines cut anywhere by reads come out whole; the last unterminated line on flush', () => {
  const table: [string[], string[]][] = [
    [['a\nb\n'], ['a', 'b']],
    [['par', 'tial\n'], ['partial']],
    [
      ['one\ntw', 'o\nthr', 'ee'],
      ['one', 'two', 'three'],
    ],
    [['\n\n'], ['', '']],
    [['no newline'], ['no newline']],
    [[''], []],
  ];
  for (const [chunks, want] of table) {
    const s = new LineSplitter();
    assert.equal([...chunks.flatMap((c) => s.push(c)), ...s.flush()], want, JSON.stringify(chunks));
  }
});

for (const { name, pty } of MODES) {
  test(`${name}: output written in pieces, lines split across writes come out whole`, async () => {
    const p = sh(`printf 'par'; sleep 0.1; printf 'tial\\nline two\\n'; sleep 0.1; printf 'last'`, {}, pty);
    const lines = lastValueFrom(p.lines.pipe(toArray()));
    const { exit } = await p.finished;
    assert.equal(exit, { kind: 'exited', code: 0 });
    assert.equal(await lines, ['partial', 'line two', 'last']);
  });

  test(`${name}: exit code and signal are values`, async () => {
    assert.equal((await sh('exit 3', {}, pty).finished).exit, { kind: 'exited', code: 3 });
    const killed = (await sh('kill -TERM $$; sleep 5', {}, pty).finished).exit;
    assert.equal(killed, { kind: 'signalled', signal: 'SIGTERM' });
    assert.is(exitCode(killed), 143);
    assert.is(describeExit(killed), 'killed by SIGTERM');
  });

  test(`${name}: a timeout kills the whole process group, a background grandchild too`, async () => {
    const pidFile = join(tempDir(), 'grandchild');
    // The grandchild ignores nothing but is not waited for by name: only a group kill reaches it.
    // 3 s: long enough for a loaded host to start the grandchild before the timeout fires.
    const p = sh(`sleep 300 & echo $! > ${pidFile}; sleep 300`, { timeoutMs: 3000 }, pty);
    const grandchild = await readPid(pidFile);
    assert.ok(alive(grandchild), 'the grandchild runs');
    const { exit } = await p.finished;
    assert.equal(exit, { kind: 'timed-out', afterMs: 3000 });
    assert.ok(await gone(grandchild), 'the grandchild was killed with its group');
  });

  test(`${name}: a timeout ends with SIGKILL what ignores SIGTERM`, async () => {
    const pidFile = join(tempDir(), 'stubborn');
    const p = sh(`trap '' TERM; sh -c "trap '' TERM; sleep 300" & echo $! > ${pidFile}; sleep 300`, { timeoutMs: 200 }, pty);
    const grandchild = await readPid(pidFile);
    assert.is((await p.finished).exit.kind, 'timed-out');
    assert.ok(await gone(grandchild));
  });

  test(`${name}: an abort signal kills the group; the exit says by what`, async () => {
    const stop = new AbortController();
    const pidFile = join(tempDir(), 'pid');
    const p = sh(`sleep 300 & echo $! > ${pidFile}; wait`, { abort: stop.signal, killSignal: 'SIGKILL' }, pty);
    const grandchild = await readPid(pidFile);
    stop.abort();
    assert.equal((await p.finished).exit, { kind: 'signalled', signal: 'SIGKILL' });
    assert.ok(await gone(grandchild));
  });

  test(`${name}: a missing program is a value naming it, and nothing starts`, async () => {
    for (const file of ['strata-no-such-tool', '/nonexistent/bin/tool']) {
      const p = launch({ file, ...(pty ? { pty: true } : {}) });
      assert.is(p.pid, undefined);
      const { exit } = await p.finished;
      assert.equal(exit, { kind: 'not-found', file });
      assert.is(exitCode(exit), 127);
      assert.match(describeExit(exit), file);
    }
  });

  test(`${name}: output copied to a log file`, async () => {
    const log = join(tempDir(), 'log');
    const { exit } = await sh('echo one; echo two >&2', { log }, pty).finished;
    assert.equal(exit, { kind: 'exited', code: 0 });
    assert.equal(readFileSync(log, 'utf8').split('\n').sort(), ['', 'one', 'two'], 'no CR from the pty either');
  });
}

test('pipes: stdout kept as bytes, stderr as text; the environment is exactly the one given', async () => {
  const r = await runProcess('/bin/sh', ['-c', 'printf "\\000\\377$ONLY"; echo oops >&2; test -z "$HOME"'], { env: { ONLY: 'x', PATH: '/usr/bin:/bin' } });
  assert.equal(r.exit, { kind: 'exited', code: 0 });
  assert.equal([...r.stdout], [0, 255, 0x78]);
  assert.is(r.stderr, 'oops\n');
});

test('pipes: input fed from a stream, a large one without holding it', async () => {
  async function* chunks() {
    for (let i = 0; i < 64; i++) yield Buffer.alloc(64 * 1024, i);
  }
  const r = await runProcess('wc', ['-c'], { input: chunks() });
  assert.is(r.stdout.toString().trim(), String(64 * 64 * 1024));
});

test('pipes: blocking input gives the child the same bytes, chunks of any size, in order', async () => {
  const sizes = [1, 3 << 20, 0, 511, 64 * 1024, 1 << 20, 7];
  const parts = sizes.map((n, i) => Buffer.alloc(n, i + 1));
  async function* chunks() {
    yield* parts;
  }
  const r = await runProcess('sha256sum', [], { input: chunks(), blockingInput: true });
  assert.equal(r.exit, { kind: 'exited', code: 0 });
  assert.is(r.stdout.toString().split(' ')[0], createHash('sha256').update(Buffer.concat(parts)).digest('hex'));
});

test('pipes: blocking input to a child that stops reading ends without hanging', async () => {
  let made = 0;
  async function* endless() {
    for (;;) {
      made++;
      yield Buffer.alloc(1 << 20, 7);
    }
  }
  const r = await runProcess('head', ['-c', '10'], { input: endless(), blockingInput: true });
  assert.equal(r.exit, { kind: 'exited', code: 0 });
  assert.is(r.stdout.length, 10);
  assert.ok(made < 1000, `the feed stopped once the pipe closed (${made} chunks made)`);
});

test('pipes: a stream the caller reads itself', async () => {
  const p = launch({ file: '/bin/sh', args: ['-c', 'seq 1 3'], stdout: 'stream' });
  let got = '';
  for await (const d of p.stdout!) got += d;
  assert.is(got, '1\n2\n3\n');
  assert.equal((await p.finished).exit, { kind: 'exited', code: 0 });
});

test('pipes: a program that exists but cannot run is cannot-start, with why', async () => {
  const file = join(tempDir(), 'not-executable');
  writeFileSync(file, '#!/bin/sh\n');
  chmodSync(file, 0o644);
  const { exit } = await runProcess(file, []);
  assert.is(exit.kind, 'cannot-start');
  assert.match(describeExit(exit), 'EACCES');
});

test('kill after the exit sends nothing (the pid may be reused)', async () => {
  const p = sh('exit 0');
  await p.finished;
  p.kill('SIGKILL'); // would throw or hit another process if it sent anything
  assert.equal((await p.finished).exit, { kind: 'exited', code: 0 });
});

test("a stop signal to Strata reaches the children's groups, and Strata still dies by it", async () => {
  const dir = tempDir();
  const pidFile = join(dir, 'pid');
  const script = join(dir, 'parent.mjs');
  const launchJs = new URL('../../core/exec/launch.js', import.meta.url).href;
  writeFileSync(
    script,
    `import { launch } from '${launchJs}';\n` +
      `launch({ file: '/bin/sh', args: ['-c', 'sleep 300 & echo $! > ${pidFile}; wait'] });\n` +
      `setInterval(() => {}, 1000);\n`,
  );
  const parent = spawn(process.execPath, [script], { stdio: 'ignore' });
  const grandchild = await readPid(pidFile);
  parent.kill('SIGTERM');
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((r) => parent.on('close', (c, s) => r([c, s])));
  assert.equal([code, signal], [null, 'SIGTERM'], 'dies by the signal, as without the launcher');
  assert.ok(await gone(grandchild), 'the child it started in its own group got the signal too');
});

test.run();
