import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, renameSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

// Each shell task of a build beside the same script run by hand, as a pair
// run back to back, so both sides see the same load on a shared machine
// (a whole build followed by all the scripts would compare two different
// hours of other people's work). The by-hand side really redoes the work:
// each recipe has a second work folder, copied from the first when its
// first shell task starts (before any source is there), in which the
// by-hand scripts run one after the other, as a user re-running the tasks
// would. The scripts name their folders by absolute path, so the two
// folders are swapped by renaming (no copy of a kernel tree per task):
// Strata's aside, the by-hand one in place, the script, and back. The one
// thing a non-shell task adds between shell tasks, the recipe's sysroot,
// is linked into the by-hand folder before each script, and what a task
// writes before its script (the kconfig class's fragments) is copied.
//
// `before` and `after` must be called synchronously from the run queue's
// `running` and `succeeded` events (rxjs subjects call subscribers in line),
// so the queue, at one task at a time, waits for them and nothing else
// touches the work folder meanwhile.

export interface TaskPair {
  readonly task: string;
  readonly kind: string;
  readonly strataMs: number;
  readonly handMs: number;
  /** One-minute load average when the pair started and when it ended. */
  readonly load: readonly [number, number];
}

interface Started {
  readonly workdir: string;
  readonly at: number;
  readonly load: number;
}

function sh(file: string, args: string[]): void {
  const r = spawnSync(file, args, { stdio: 'ignore' });
  if (r.status !== 0) throw new Error(`${file} ${args.join(' ')} failed (exit ${r.status})`);
}

/** rm -rf: a kernel tree is ~80,000 files, which Node's own recursive rmSync takes minutes over on a loaded machine. */
const remove = (path: string) => sh('rm', ['-rf', path]);

export class TaskPairs {
  readonly pairs: TaskPair[] = [];
  /** Time spent swapping folders and running by hand, inside the build's wall time: subtracted from it. */
  bookkeepingMs = 0;
  private readonly started = new Map<string, Started>();
  /** Each recipe's by-hand work folder, by its real one. */
  private readonly hand = new Map<string, string>();

  /**
   * A shell task is about to run: the recipe's by-hand folder starts as a
   * copy of its work folder before its first one. Returns the time the
   * task's own clock starts.
   */
  before(key: string, workdir: string): number {
    const t0 = performance.now();
    if (!this.hand.has(workdir)) {
      const hand = `${workdir}.bench-hand`;
      remove(hand);
      if (existsSync(workdir)) sh('cp', ['-a', workdir, hand]);
      else mkdirSync(hand, { recursive: true });
      this.hand.set(workdir, hand);
    }
    const at = performance.now();
    this.bookkeepingMs += at - t0;
    this.started.set(key, { workdir, at, load: loadavg()[0] });
    return at;
  }

  /** The task succeeded: run its script by hand in the recipe's by-hand folder, swapped into place, and time that. */
  after(key: string, task: string, kind: string): void {
    const t0 = performance.now();
    const s = this.started.get(key);
    if (!s) return;
    this.started.delete(key);
    const strataMs = t0 - s.at;
    const runFile = join(s.workdir, `run.${kind}`);
    const hand = this.hand.get(s.workdir)!;
    // A task kind with no script (or a script left from an earlier task of another kind) has nothing to pair.
    if (!existsSync(runFile) || statSync(runFile).mtimeMs < performance.timeOrigin + s.at - 1000) {
      this.bookkeepingMs += performance.now() - t0;
      return;
    }
    const scratch = mkdtempSync(join(tmpdir(), 'strata-bench-script-'));
    const script = join(scratch, `run.${kind}`);
    copyFileSync(runFile, script);
    const strataSide = `${s.workdir}.bench-strata`;
    renameSync(s.workdir, strataSide);
    renameSync(hand, s.workdir);
    const sysroot = join(strataSide, 'sysroot');
    if (existsSync(sysroot)) {
      remove(join(s.workdir, 'sysroot'));
      sh('cp', ['-al', sysroot, join(s.workdir, 'sysroot')]);
    }
    // What Strata itself wrote before launching the script (the kconfig
    // fragments folder): made before run.<task>, so born before it.
    const scriptBorn = statSync(join(strataSide, `run.${kind}`)).birthtimeMs;
    for (const name of readdirSync(strataSide)) {
      if (name === 'sysroot' || /^(run|log)\./.test(name)) continue;
      const born = lstatSync(join(strataSide, name)).birthtimeMs;
      const mine = join(s.workdir, name);
      if (born <= scriptBorn && (!existsSync(mine) || born >= performance.timeOrigin + s.at - 1000)) {
        remove(mine);
        sh('cp', ['-a', join(strataSide, name), mine]);
      }
    }
    // Outside the sandbox (STRATA_SANDBOX=1 tells the script it is already in it): the bare commands.
    const handStart = performance.now();
    const r = spawnSync('/bin/sh', [script], { cwd: s.workdir, env: { PATH: '/usr/bin:/bin', STRATA_SANDBOX: '1' }, stdio: 'ignore' });
    const handMs = performance.now() - handStart;
    renameSync(s.workdir, hand);
    renameSync(strataSide, s.workdir);
    remove(scratch);
    if (r.status !== 0) throw new Error(`${runFile} failed by hand (exit ${r.status}); its folder: ${hand}`);
    const pair: TaskPair = { task, kind, strataMs, handMs, load: [s.load, loadavg()[0]] };
    this.pairs.push(pair);
    // Progress, for a run that takes an hour.
    console.error(
      `${new Date().toISOString()} ${task}: strata ${(strataMs / 1000).toFixed(1)} s, by hand ${(handMs / 1000).toFixed(1)} s, load ${pair.load.join(' ')}`,
    );
    this.bookkeepingMs += performance.now() - t0;
  }

  /** Removes the by-hand folders. */
  cleanup(): void {
    for (const hand of this.hand.values()) remove(hand);
    this.hand.clear();
  }
}
