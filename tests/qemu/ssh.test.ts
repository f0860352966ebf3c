import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { authorizeKeyCommand, freeLocalPort, openSshSession, runOverSsh, runProcess, sshArgs } from '../../core/qemu/ssh.js';

// The host side of testimage's SSH checks, without a guest: the throw-away
// key, the free port, the guest command that authorizes the key, ssh's
// arguments, and ssh's own failure (nothing listening) retried until the
// timeout and reported with its message. A real login is in
// tests/e2e/base-image.test.ts.

test('freeLocalPort gives a loopback port that can be bound', async () => {
  const port = await freeLocalPort();
  assert.ok(port > 0 && port < 65536);
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', () => resolve()));
  await new Promise((resolve) => server.close(resolve));
});

test('openSshSession makes an ed25519 key only its owner reads, and close removes it', async () => {
  const s = await openSshSession();
  try {
    assert.match(s.publicKey, /^ssh-ed25519 \S+ strata-testimage$/);
    assert.is(statSync(s.key).mode & 0o077, 0, 'ssh refuses a private key others can read');
    assert.is(s.forward.guest, 22);
    assert.ok(s.forward.host > 0);
    assert.is(readFileSync(`${s.key}.pub`, 'utf8').trim(), s.publicKey);
  } finally {
    await s.close();
  }
  assert.not.ok(existsSync(s.dir));
});

test('authorizeKeyCommand: one line, the key quoted, and a key with shell characters refused', async () => {
  const line = authorizeKeyCommand({ publicKey: 'ssh-ed25519 AAAAC3Nza+/= strata-testimage' });
  assert.not.match(line, /\n/);
  assert.match(line, `echo 'ssh-ed25519 AAAAC3Nza+/= strata-testimage' >> "$h/.ssh/authorized_keys"`);
  // The guest's sh runs it: check it with the host's sh, on a fake passwd.
  for (const bad of ["ssh-ed25519 AAAA' ; reboot ; '", 'ssh-ed25519 $(reboot)', 'ssh-ed25519 A\nB']) {
    assert.throws(() => authorizeKeyCommand({ publicKey: bad }), /unexpected characters/);
  }
  const r = await runProcess('sh', ['-n', '-c', line], 5_000);
  assert.is(r.status, 0, r.output);
});

test('sshArgs: batch mode, no user config, the key, known_hosts learnt once, loopback', () => {
  const args = sshArgs({ forward: { host: 40022, guest: 22 }, key: '/k/id', knownHosts: '/k/known_hosts' }, 'echo hi');
  assert.equal(args.slice(0, 6), ['-F', 'none', '-p', '40022', '-i', '/k/id']);
  for (const o of ['BatchMode=yes', 'StrictHostKeyChecking=accept-new', 'UserKnownHostsFile=/k/known_hosts', 'IdentitiesOnly=yes']) {
    assert.ok(args.includes(o), o);
  }
  assert.equal(args.slice(-3), ['root@127.0.0.1', '--', 'echo hi']);
});

test('runOverSsh: nothing listening is retried until the timeout, then reported with ssh status 255', async () => {
  const s = await openSshSession();
  try {
    const r = await runOverSsh(s, 'true', 2_500);
    assert.is(r.status, 255);
    assert.ok(r.tries >= 2, `tried ${r.tries} times`);
    assert.match(r.output, /Connection refused/);
  } finally {
    await s.close();
  }
});

test.run();
