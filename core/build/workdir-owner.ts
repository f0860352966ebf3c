import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { runProcess } from '../exec/launch.js';
import { describeExit, succeeded } from '../exec/process-exit.js';

// When Strata runs as root, shell tasks run as the sandbox's unprivileged
// uid (core/exec/sandbox.ts), so the work folder and whatever Strata itself
// put in it (a tree restored from the cache, packages-split, a folder from a
// build made before the sandbox) must belong to that uid before a task runs.
// Only what is not already owned is changed, so a steady build costs one
// readdir. The sysroot stays root's: tasks only read it.

async function run(file: string, args: string[]): Promise<void> {
  const { exit, stderr } = await runProcess(file, args);
  if (!succeeded(exit)) throw new Error(`${file} ${args.join(' ')} failed (${describeExit(exit)}): ${stderr.trim()}`);
}

export async function adoptWorkdir(workdir: string, uid: number): Promise<void> {
  if (process.getuid?.() !== 0) return;
  const top = await lstat(workdir);
  if (top.uid !== uid) await run('chown', [`${uid}:${uid}`, workdir]);
  for (const name of await readdir(workdir)) {
    if (name === 'sysroot') continue;
    const p = join(workdir, name);
    const st = await lstat(p);
    if (st.uid !== uid) await run('chown', ['-R', '-P', `${uid}:${uid}`, p]);
  }
}
