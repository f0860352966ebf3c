import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { freeLocalPort } from '../../core/qemu/ssh.js';
import { testImage, type TestImageEvent } from '../../core/qemu/testimage.js';
import { findTestKernel, makeGuest } from './helpers/guest.js';

// The SSH checks' host port is found free, then bound by QEMU a moment
// later; another process (a second testimage, a parallel test file) can take
// it in between. These boots hand testimage ports that are already taken,
// through its port-picking seam, and check that QEMU is started again on
// another port, and that it gives up with a clear reason after three.

function kernel(): string {
  const k = findTestKernel();
  if (!k.ok) assert.unreachable(k.error);
  return (k as { value: string }).value;
}

/** A listener on a loopback port, as the process that took the port. */
function takePort(): Promise<{ port: number; server: Server }> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve({ port: (server.address() as { port: number }).port, server }));
  });
}

const sshCheck = { name: 'login', via: 'ssh' as const, run: 'true', timeoutMs: 2_000 };

test('a taken forward port: QEMU starts again on a port that is free, and the guest boots', async () => {
  const guest = await makeGuest(kernel());
  const taken = await takePort();
  try {
    const picks: number[] = [];
    const pickSshPort = async (): Promise<number> => {
      const port = picks.length === 0 ? taken.port : await freeLocalPort();
      picks.push(port);
      return port;
    };
    const events: TestImageEvent[] = [];
    const result = await testImage(guest.boot, [sshCheck], {
      log: join(guest.dir, 'forward.log'),
      bootTimeoutMs: 60_000,
      pickSshPort,
      onEvent: (e) => events.push(e),
    });
    const ssh = events.filter((e) => e.kind === 'ssh').map((e) => (e as { port: number }).port);
    assert.equal(ssh, picks, 'each QEMU start forwards from the port picked for it');
    assert.is(ssh.length, 2, 'QEMU was started a second time');
    assert.is(ssh[0], taken.port);
    assert.is.not(ssh[1], taken.port);
    assert.is(events.filter((e) => e.kind === 'start').length, 2);
    // The second QEMU booted the guest: its init's greeting came after the second start.
    const secondStart = events.map((e) => e.kind).lastIndexOf('start');
    const later = events
      .slice(secondStart)
      .filter((e) => e.kind === 'line')
      .map((e) => (e as { line: string }).line);
    assert.ok(
      later.some((l) => /mini-init: console ready/.test(l)),
      `the second QEMU did not boot the guest:\n${later.slice(-10).join('\n')}`,
    );
    assert.not.match(result.reason ?? '', /host forwarding/, 'the taken port is not the reason given');
  } finally {
    taken.server.close();
    guest.cleanup();
  }
});

test('every picked port taken: three starts, then a reason naming the forward', async () => {
  const guest = await makeGuest(kernel());
  const taken = [await takePort(), await takePort(), await takePort()];
  try {
    let next = 0;
    const events: TestImageEvent[] = [];
    const result = await testImage(guest.boot, [{ run: 'true' }, sshCheck], {
      log: join(guest.dir, 'forward.log'),
      bootTimeoutMs: 30_000,
      pickSshPort: async () => taken[next++ % taken.length].port,
      onEvent: (e) => events.push(e),
    });
    assert.is(result.booted, false);
    assert.is(result.passed, false);
    assert.is(next, 3, 'three ports were picked');
    assert.equal(
      events.filter((e) => e.kind === 'ssh').map((e) => (e as { port: number }).port),
      taken.map((t) => t.port),
    );
    assert.match(result.reason ?? '', /Could not set up host forwarding rule/);
    assert.match(result.reason ?? '', /could not bind any of 3 host ports for the SSH forward/);
    assert.ok(
      result.checks.every((c) => !c.passed && /not run/.test(c.reason ?? '')),
      'no check ran',
    );
  } finally {
    for (const t of taken) t.server.close();
    guest.cleanup();
  }
});

test.run();
