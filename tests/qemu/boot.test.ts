import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ImageCheck } from '../../core/qemu/check.js';
import { testImage, type TestImageEvent } from '../../core/qemu/testimage.js';
import { findTestKernel, isAlive, makeGuest } from './helpers/guest.js';

// Real boots: an arm64 kernel and a cross-compiled /init in QEMU (TCG),
// driven through testimage exactly as `strata testimage` drives an image.
// Without a kernel these tests fail and say where to get one: a skipped
// boot test would let a broken testimage pass CI.

function kernel(): string {
  const k = findTestKernel();
  if (!k.ok) assert.unreachable(k.error);
  return (k as { value: string }).value;
}

/** Records events and the QEMU pid (to prove it is gone afterwards). */
function recorder(): { events: TestImageEvent[]; pid: () => number; onEvent: (e: TestImageEvent) => void } {
  const events: TestImageEvent[] = [];
  return {
    events,
    onEvent: (e) => events.push(e),
    pid: () => (events.find((e) => e.kind === 'start') as { pid: number }).pid,
  };
}

test('boots, runs checks, reports each with its output, powers off', async () => {
  const guest = await makeGuest(kernel());
  try {
    const checks: ImageCheck[] = [
      { name: 'architecture', run: 'uname -m', expect: 'aarch64' },
      { name: 'echo', run: 'echo hello   world', match: '^hello world$' },
      { name: 'kernel version', run: 'cat /proc/version', match: '^Linux version \\d+\\.\\d+' },
      { name: 'expected failure', run: 'false', status: 1 },
      { name: 'unexpected failure', run: 'false' },
      { name: 'wrong output', run: 'echo abc', expect: 'xyz' },
      { name: 'missing command', run: 'no-such-tool --version', match: 'v\\d' },
      { name: 'still in sync', run: 'echo after-failures', expect: 'after-failures' },
    ];
    const log = join(guest.dir, 'testimage.log');
    const rec = recorder();
    const started = Date.now();
    const result = await testImage(guest.boot, checks, { log, bootTimeoutMs: 60_000, commandTimeoutMs: 15_000, onEvent: rec.onEvent });
    const byName = new Map(result.checks.map((c) => [c.name, c]));

    assert.ok(result.booted, `did not boot: ${result.reason}`);
    assert.is(result.reason, undefined);
    assert.is(result.killed, false, 'the guest powered off by itself');
    assert.is(result.exit?.exitCode, 0);
    assert.is(result.checks.length, checks.length);

    for (const name of ['architecture', 'echo', 'kernel version', 'expected failure', 'still in sync']) {
      const c = byName.get(name)!;
      assert.ok(c.passed, `${name} should pass: ${c.reason}; output ${JSON.stringify(c.output)}`);
      assert.is(c.reason, undefined);
    }
    assert.is(byName.get('architecture')!.output, 'aarch64');
    assert.is(byName.get('architecture')!.command, 'uname -m');
    assert.is(byName.get('echo')!.output, 'hello world');
    assert.is(byName.get('expected failure')!.status, 1);

    const unexpected = byName.get('unexpected failure')!;
    assert.is(unexpected.passed, false);
    assert.is(unexpected.status, 1);
    assert.match(unexpected.reason!, 'exit status 1, expected 0');

    const wrong = byName.get('wrong output')!;
    assert.is(wrong.passed, false);
    assert.is(wrong.output, 'abc');
    assert.match(wrong.reason!, 'does not contain "xyz"');

    const missing = byName.get('missing command')!;
    assert.is(missing.status, 127);
    assert.match(missing.reason!, 'exit status 127');
    assert.match(missing.reason!, 'does not match');
    assert.match(missing.output, 'not found');

    assert.is(result.passed, false, 'failed checks fail the run');
    assert.is(rec.events.filter((e) => e.kind === 'check-end').length, checks.length);
    assert.ok(rec.events.some((e) => e.kind === 'line' && e.line.includes('mini-init: console ready')));
    assert.not.ok(isAlive(rec.pid()), 'QEMU is gone');

    const text = readFileSync(log, 'utf8');
    assert.match(text, /^# .*qemu-system-aarch64 .*-no-reboot/);
    assert.match(text, 'mini-init: console ready');
    assert.match(text, 'echo __STRATA_8_$?__');
    assert.ok(Date.now() - started < 60_000, 'boot test stays under a minute');
  } finally {
    guest.cleanup();
  }
});

test('an Enter pressed while the shell was starting does not leak a prompt into the first check', async () => {
  // The console is quiet for 5 s before the first prompt: testimage presses
  // Enter after 3 s, so the shell has an empty line waiting when it starts.
  const guest = await makeGuest(kernel(), { append: 'rdinit=/init quiet MINI_SLOW_START=5' });
  try {
    const result = await testImage(guest.boot, [{ name: 'architecture', run: 'uname -m', expect: 'aarch64' }], {
      log: join(guest.dir, 'slow.log'),
      bootTimeoutMs: 60_000,
    });
    assert.ok(result.booted, `did not boot: ${result.reason}`);
    assert.is(result.checks[0].output, 'aarch64');
    assert.ok(result.passed, result.reason);
    assert.ok(readFileSync(join(guest.dir, 'slow.log'), 'utf8').split('~ # ').length >= 3, 'the early Enter gave a second prompt');
  } finally {
    guest.cleanup();
  }
});

test('input lost just after the first prompt is typed again, and none of it reaches the first check', async () => {
  // mini-init waits 3 s after its first prompt, then discards what was typed.
  const guest = await makeGuest(kernel(), { append: 'rdinit=/init quiet MINI_DEAF_START=3' });
  try {
    const result = await testImage(guest.boot, [{ name: 'architecture', run: 'uname -m', expect: 'aarch64' }], {
      log: join(guest.dir, 'deaf.log'),
      bootTimeoutMs: 60_000,
    });
    assert.ok(result.booted, `did not boot: ${result.reason}`);
    assert.is(result.checks[0].output, 'aarch64');
    assert.ok(result.passed, result.reason);
    assert.match(readFileSync(join(guest.dir, 'deaf.log'), 'utf8'), '__STRATA_-1_0__', 'the second copy of the first command answered');
  } finally {
    guest.cleanup();
  }
});

test('a shell slow to take its first command (a starved host, first-boot work) has the rest of the boot limit, not one command limit', async () => {
  // Deaf for 8 s after its first prompt: longer than the 3 s command limit, well within the 60 s boot limit.
  const guest = await makeGuest(kernel(), { append: 'rdinit=/init quiet MINI_DEAF_START=8' });
  try {
    const result = await testImage(guest.boot, [{ name: 'architecture', run: 'uname -m', expect: 'aarch64' }], {
      log: join(guest.dir, 'slow.log'),
      bootTimeoutMs: 60_000,
      commandTimeoutMs: 3_000,
    });
    assert.ok(result.booted, `did not boot: ${result.reason}`);
    assert.ok(result.passed, result.reason);
  } finally {
    guest.cleanup();
  }
});

test('a hung command fails its check, and a guest that will not power off is killed', async () => {
  // mini-init ignores Ctrl-C, so the hung `sleep` keeps the shell until it ends.
  const guest = await makeGuest(kernel());
  try {
    const rec = recorder();
    const result = await testImage(
      guest.boot,
      [
        { name: 'hangs', run: 'sleep 600', timeoutMs: 2_000 },
        { name: 'after the hang', run: 'echo never' },
      ],
      { log: join(guest.dir, 'hang.log'), bootTimeoutMs: 60_000, shutdownTimeoutMs: 2_000, onEvent: rec.onEvent },
    );
    assert.ok(result.booted, `did not boot: ${result.reason}`);
    assert.is(result.passed, false);
    assert.match(result.checks[0].reason!, 'no result within 2 s');
    assert.is(result.checks[0].status, undefined);
    assert.match(result.checks[1].reason!, 'not run: check 1 hung');
    assert.is(result.killed, true);
    assert.match(result.reason!, 'did not power off within 2 s');
    assert.not.ok(isAlive(rec.pid()), 'QEMU is gone');
  } finally {
    guest.cleanup();
  }
});

test('no prompt within the boot timeout: the run fails with the last console lines, QEMU is killed', async () => {
  const guest = await makeGuest(kernel(), { prompt: 'login: $' });
  try {
    const rec = recorder();
    const result = await testImage(guest.boot, [{ run: 'true' }], { log: join(guest.dir, 'noprompt.log'), bootTimeoutMs: 10_000, onEvent: rec.onEvent });
    assert.is(result.passed, false);
    assert.is(result.booted, false);
    assert.match(result.reason!, 'image did not boot: no prompt matching /login: $/ within 10 s');
    // What the console showed instead: its last lines, as the log has them. How far the guest got in 10 s
    // depends on the host's load; on a busy host it may have printed nothing yet, which the reason says.
    const quoted = result
      .reason!.split('last console lines:\n')[1]
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
    const log = readFileSync(join(guest.dir, 'noprompt.log'), 'utf8');
    // The log's first line is QEMU's command line, the console follows.
    if (log.split('\n').slice(1).join('').trim() === '') assert.equal(quoted, ['(the console printed nothing)']);
    else {
      assert.ok(quoted.length > 0, 'quotes what the console showed instead');
      for (const line of quoted) assert.ok(log.includes(line), `'${line}' is a line of the console`);
    }
    assert.is(result.checks[0].reason, 'not run: the image did not boot');
    assert.not.ok(isAlive(rec.pid()), 'QEMU is gone');
  } finally {
    guest.cleanup();
  }
});

test("without a limit from the caller, the qemuboot file's bootTimeout (the machine's boot-timeout:) is the one waited for", async () => {
  const guest = await makeGuest(kernel(), { prompt: 'login: $', bootTimeout: 5 });
  try {
    assert.is(guest.boot.bootTimeout, 5);
    const rec = recorder();
    const result = await testImage(guest.boot, [{ run: 'true' }], { log: join(guest.dir, 'machine-timeout.log'), onEvent: rec.onEvent });
    assert.is(result.booted, false);
    assert.match(result.reason!, "no prompt matching /login: $/ within 5 s (machine qemuarm64's qemu: boot-timeout:)");
    assert.not.ok(isAlive(rec.pid()), 'QEMU is gone');
    // The caller's limit still wins over the machine's.
    const caller = await testImage(guest.boot, [{ run: 'true' }], { log: join(guest.dir, 'caller-timeout.log'), bootTimeoutMs: 3_000 });
    assert.match(caller.reason!, /within 3 s; last console lines/);
  } finally {
    guest.cleanup();
  }
});

test('a kernel panic ends QEMU (-no-reboot, panic=-1) and is quoted in the reason', async () => {
  const guest = await makeGuest(kernel(), { append: 'rdinit=/no-such-init quiet' });
  try {
    const rec = recorder();
    const started = Date.now();
    const result = await testImage(guest.boot, [], { log: join(guest.dir, 'panic.log'), bootTimeoutMs: 60_000, onEvent: rec.onEvent });
    assert.is(result.passed, false);
    assert.match(result.reason!, 'QEMU exited (code 0) before the prompt appeared');
    assert.match(result.reason!, 'Kernel panic');
    assert.ok(Date.now() - started < 30_000, 'ended by the panic, not by the timeout');
    assert.not.ok(isAlive(rec.pid()), 'QEMU is gone');
  } finally {
    guest.cleanup();
  }
});

test.run();
