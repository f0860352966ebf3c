import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { findTestKernel } from './helpers/guest.js';

// QEMU must not outlive the process that runs testimage, however that
// process is stopped. Each case runs helpers/boot-child.js, stops it with a
// signal at some point of the boot, and then looks for its QEMU.

const CHILD = fileURLToPath(new URL('./helpers/boot-child.js', import.meta.url));

/** Running, and not a zombie waiting for a reaper. */
function isRunning(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

async function gone(pid: number, withinMs: number): Promise<boolean> {
  for (const until = Date.now() + withinMs; Date.now() < until; await new Promise((r) => setTimeout(r, 50))) {
    if (!isRunning(pid)) return true;
  }
  return !isRunning(pid);
}

interface Stopped {
  qemuPid: number;
  dir: string;
  exit: { code: number | null; signal: NodeJS.Signals | null };
}

/** Runs the child until `when` shows on its stdout, then sends `signal`. */
function stopChild(signal: NodeJS.Signals, when: 'qemu-pid' | 'booted'): Promise<Stopped> {
  const k = findTestKernel();
  if (!k.ok) assert.unreachable(k.error);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD], { stdio: ['ignore', 'pipe', 'inherit'] });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no "${when}" from the child within 60 s`));
    }, 60_000);
    let out = '';
    let qemuPid = 0;
    let dir = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      qemuPid ||= Number(/qemu-pid (\d+)/.exec(out)?.[1] ?? 0);
      dir ||= /dir (\S+)/.exec(out)?.[1] ?? '';
      const seen = out
        .split('\n')
        .slice(0, -1)
        .some((line) => line.split(' ')[0] === when);
      if (seen && child.exitCode === null && !child.killed) child.kill(signal);
    });
    child.on('exit', (code, sig) => {
      clearTimeout(timer);
      resolve({ qemuPid, dir, exit: { code, signal: sig } });
    });
  });
}

for (const [signal, when] of [
  ['SIGTERM', 'qemu-pid'],
  ['SIGINT', 'booted'],
] as const) {
  test(`${signal} while ${when === 'booted' ? 'a check runs' : 'booting'}: QEMU is killed and the process dies by ${signal}`, async () => {
    const s = await stopChild(signal, when);
    try {
      assert.ok(s.qemuPid > 0, 'the child started QEMU');
      assert.is(s.exit.signal, signal, 'the signal still ends the process, as it would without the handler');
      assert.ok(await gone(s.qemuPid, 2_000), `QEMU ${s.qemuPid} is still running`);
      const log = readFileSync(join(s.dir, 'console.log'), 'utf8');
      assert.match(log, `# strata: ${signal} received, QEMU killed`);
    } finally {
      if (s.dir && existsSync(s.dir)) rmSync(s.dir, { recursive: true, force: true });
    }
  });
}

test('SIGKILL (no handler can run): QEMU gets SIGHUP from its pty and exits', async () => {
  const s = await stopChild('SIGKILL', 'booted');
  try {
    assert.is(s.exit.signal, 'SIGKILL');
    assert.ok(await gone(s.qemuPid, 10_000), `QEMU ${s.qemuPid} is still running`);
  } finally {
    if (s.dir && existsSync(s.dir)) rmSync(s.dir, { recursive: true, force: true });
  }
});

test.run();
