import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { PortForward } from './args.js';

// Checks that log in from the host: the host's OpenSSH client (as a user
// would) to the guest's SSH server, through QEMU's user network with the
// guest's port 22 forwarded to a free port on 127.0.0.1. The key is made for
// one testimage run and authorized in the guest through the console, so no
// key is baked into an image. The server's key is learnt on the first login
// and must stay the same for the rest of the run (StrictHostKeyChecking
// accept-new): a server that made a new host key on restart fails.

export const SSH_GUEST_PORT = 22;
/** The guest user the checks log in as. */
export const SSH_USER = 'root';
/** ssh(1): "exits with the exit status of the remote command or with 255 if an error occurred". */
const SSH_ERROR = 255;
const RETRY_MS = 1_000;

export interface SshSession {
  readonly forward: PortForward;
  readonly dir: string;
  readonly key: string;
  readonly publicKey: string;
  readonly knownHosts: string;
  close(): Promise<void>;
}

/** A TCP port on 127.0.0.1 nothing listens on now (the kernel picks it). */
export function freeLocalPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('no port was assigned'))));
    });
  });
}

export interface ProcessOutput {
  readonly status: number;
  /** stdout and stderr together, in the order they came. */
  readonly output: string;
  readonly timedOut: boolean;
}

/** Runs a host program with no input; its output is returned, never thrown. */
export function runProcess(file: string, args: readonly string[], timeoutMs: number): Promise<ProcessOutput> {
  return new Promise((resolve) => {
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C' } });
    let output = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ status: 127, output: `cannot run ${file}: ${e.message} (install openssh-client)`, timedOut });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ status: code ?? SSH_ERROR, output, timedOut });
    });
  });
}

/** Picks the host port for the guest's SSH server (freeLocalPort; tests pass their own). */
export type PortPicker = () => Promise<number>;

/** Makes a throw-away ed25519 key and picks the host port for the guest's SSH server. */
export async function openSshSession(pickPort: PortPicker = freeLocalPort): Promise<SshSession> {
  const dir = await mkdtemp(join(tmpdir(), 'strata-testimage-ssh-'));
  try {
    const key = join(dir, 'id_ed25519');
    const made = await runProcess('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'strata-testimage', '-f', key], 30_000);
    if (made.status !== 0) throw new Error(`ssh-keygen failed: ${made.output.trim()}`);
    const publicKey = (await readFile(`${key}.pub`, 'utf8')).trim();
    const forward = { host: await pickPort(), guest: SSH_GUEST_PORT };
    return { forward, dir, key, publicKey, knownHosts: join(dir, 'known_hosts'), close: () => rm(dir, { recursive: true, force: true }) };
  } catch (e) {
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
}

/**
 * The same session, key and all, forwarding from another host port: for when
 * QEMU could not bind the first, because another process took it between
 * freeLocalPort's check and QEMU's start (the port is free only when chosen).
 */
export async function withNewHostPort(session: SshSession, pickPort: PortPicker = freeLocalPort): Promise<SshSession> {
  return { ...session, forward: { ...session.forward, host: await pickPort() } };
}

/** The guest shell line that authorizes the session's key for SSH_USER (one line, for the console). */
export function authorizeKeyCommand(session: Pick<SshSession, 'publicKey'>): string {
  if (!/^[\w@.+/=: -]+$/.test(session.publicKey)) throw new Error(`unexpected characters in the public key: ${session.publicKey}`);
  const home = `$(awk -F: '$1=="${SSH_USER}"{print $6}' /etc/passwd)`;
  return `h=${home} && mkdir -p -m 700 "$h/.ssh" && echo '${session.publicKey}' >> "$h/.ssh/authorized_keys" && chmod 600 "$h/.ssh/authorized_keys"`;
}

/** ssh's arguments for one command: batch mode (never a prompt), the session's key and known_hosts. */
export function sshArgs(session: Pick<SshSession, 'forward' | 'key' | 'knownHosts'>, command: string): string[] {
  return [
    '-F',
    'none', // the user's ~/.ssh/config must not change the test
    '-p',
    String(session.forward.host),
    '-i',
    session.key,
    '-o',
    'IdentitiesOnly=yes',
    '-o',
    'BatchMode=yes',
    '-o',
    'StrictHostKeyChecking=accept-new',
    '-o',
    `UserKnownHostsFile=${session.knownHosts}`,
    '-o',
    'ConnectTimeout=10',
    '-o',
    'LogLevel=ERROR',
    `${SSH_USER}@127.0.0.1`,
    '--',
    command,
  ];
}

/**
 * Runs `command` in the guest over SSH. While ssh itself fails (status 255:
 * the server is not listening yet, or is being restarted by its
 * supervisor), it tries again until `timeoutMs` is spent.
 */
export async function runOverSsh(session: SshSession, command: string, timeoutMs: number): Promise<ProcessOutput & { tries: number }> {
  const deadline = Date.now() + timeoutMs;
  for (let tries = 1; ; tries++) {
    const left = deadline - Date.now();
    const r = await runProcess('ssh', sshArgs(session, command), Math.max(left, 1));
    if (r.status !== SSH_ERROR || r.timedOut || deadline - Date.now() < RETRY_MS) return { ...r, tries };
    await sleep(RETRY_MS);
  }
}
