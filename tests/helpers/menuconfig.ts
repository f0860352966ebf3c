import pty from 'node-pty';
import { CLI } from './strata.js';

// `strata menuconfig` as a user runs it: on a terminal (a pty, 120x40,
// xterm), waiting for the menu's title before typing, a pause between keys
// so the ncurses program has drawn before the next one.

export interface MenuconfigRun {
  /** Exit code of strata; -1 when it had to be killed. */
  readonly code: number;
  /** Everything the terminal showed, escape sequences included. */
  readonly screen: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs `strata <args>`, waits up to `waitMs` for `title`, types `keys` one by one, and waits for the exit. */
export async function runMenuconfig(args: string[], title: string, keys: readonly string[], waitMs = 600_000): Promise<MenuconfigRun> {
  const term = pty.spawn(process.execPath, [CLI, ...args], {
    cols: 120,
    rows: 40,
    name: 'xterm',
    env: { ...process.env, TERM: 'xterm' } as Record<string, string>,
  });
  let screen = '';
  term.onData((d) => (screen += d));
  const exited = new Promise<number>((done) => term.onExit((e) => done(e.exitCode)));
  let ended: number | undefined;
  void exited.then((c) => (ended = c));
  const deadline = Date.now() + waitMs;
  while (!screen.includes(title) && ended === undefined && Date.now() < deadline) await sleep(500);
  if (!screen.includes(title)) {
    if (ended === undefined) term.kill();
    return { code: ended ?? -1, screen };
  }
  await sleep(1000);
  for (const k of keys) {
    term.write(k);
    await sleep(1000);
  }
  const code = await Promise.race([exited, sleep(60_000).then(() => -1)]);
  if (code === -1) term.kill();
  return { code, screen };
}

/** Two Escapes at once: leave a menu (ncurses' menuconfig waits for the second). */
export const ESC_ESC = '\x1b\x1b';
