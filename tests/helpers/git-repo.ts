import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';

// Real git repositories for tests, and `git daemon` serving them on
// 127.0.0.1, so the git fetcher meets what users meet.

// Fixed identities and dates: the tests' commits are the same every run.
const ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 'Test',
  GIT_AUTHOR_EMAIL: 'test@example.invalid',
  GIT_COMMITTER_NAME: 'Test',
  GIT_COMMITTER_EMAIL: 'test@example.invalid',
  GIT_AUTHOR_DATE: '2024-01-01T00:00:00Z',
  GIT_COMMITTER_DATE: '2024-01-01T00:00:00Z',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
};

export function gitIn(dir: string, ...args: string[]): string {
  const r = spawnSync('git', ['-C', dir, ...args], { env: ENV, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')} failed in ${dir}: ${r.stderr}`);
  return r.stdout.trim();
}

export interface TestRepo {
  readonly dir: string;
  /** Commits by name, as full ids. */
  readonly commits: Record<string, string>;
}

/**
 * A repository `widget` under `base` with branch main (commits `first`,
 * `second`; `second` adds an executable and a symlink), tag v1 on `first`,
 * and branch `side` holding commit `stray`, which main never sees.
 */
export function widgetRepo(base: string): TestRepo {
  const dir = join(base, 'widget');
  mkdirSync(dir, { recursive: true });
  gitIn(dir, 'init', '--quiet', '--initial-branch=main');
  const write = (rel: string, text: string, mode = 0o644) => {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text, { mode });
  };
  write('greeting.txt', 'hello from git\n');
  write('src/deep/name with space.txt', 'spaces are fine\n');
  gitIn(dir, 'add', '-A');
  gitIn(dir, 'commit', '--quiet', '-m', 'first');
  const first = gitIn(dir, 'rev-parse', 'HEAD');
  gitIn(dir, 'tag', 'v1');
  write('run.sh', '#!/bin/sh\necho run\n', 0o755);
  symlinkSync('greeting.txt', join(dir, 'link.txt'));
  gitIn(dir, 'add', '-A');
  gitIn(dir, 'commit', '--quiet', '-m', 'second');
  const second = gitIn(dir, 'rev-parse', 'HEAD');
  gitIn(dir, 'checkout', '--quiet', '-b', 'side', first);
  write('stray.txt', 'only on side\n');
  gitIn(dir, 'add', '-A');
  gitIn(dir, 'commit', '--quiet', '-m', 'stray');
  const stray = gitIn(dir, 'rev-parse', 'HEAD');
  gitIn(dir, 'checkout', '--quiet', 'main');
  return { dir, commits: { first, second, stray } };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

const listening = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const c = connect(port, '127.0.0.1');
    c.on('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.on('error', () => resolve(false));
  });

export interface GitDaemon {
  /** `git://127.0.0.1:<port>` */
  readonly url: string;
  close(): Promise<void>;
}

/** `git daemon` exporting every repository under `base`, on 127.0.0.1 only. */
export async function gitDaemon(base: string): Promise<GitDaemon> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const child = spawn('git', ['daemon', '--export-all', '--reuseaddr', `--base-path=${base}`, '--listen=127.0.0.1', `--port=${port}`, base], {
      stdio: 'ignore',
      env: ENV,
    });
    let exited = false;
    child.on('exit', () => (exited = true));
    // Wait until it accepts connections (or gives up, when another process took the port).
    while (!exited && !(await listening(port))) await new Promise((r) => setTimeout(r, 50));
    if (exited) continue;
    return {
      url: `git://127.0.0.1:${port}`,
      close: () =>
        new Promise<void>((resolve) => {
          if (exited) return resolve();
          child.on('exit', () => resolve());
          child.kill();
        }),
    };
  }
  throw new Error('git daemon did not start');
}
