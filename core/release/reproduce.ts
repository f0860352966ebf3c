import { join } from 'node:path';
import type { BuildContext } from '../build/context.js';
import { findProgram, runProcess } from '../exec/launch.js';
import { exitCode } from '../exec/process-exit.js';
import { TASKS } from '../build/tasks/registry.js';
import { BuildLayout } from '../config/build-layout.js';
import { loadProject, type Project } from '../config/project.js';
import { planBuild } from '../graph/plan.js';
import type { ImageWriter } from '../image/image-writer.js';
import { Configuration } from '../resolve/configuration.js';
import { compareBuilds, type BuildSide, type Comparison } from './compare-builds.js';
import { writeDerivedProject } from './derived-project.js';
import { SANDBOX_HOSTNAME_ENV, SANDBOX_UID_ENV } from '../build/task-sandbox.js';
import { sandboxUid } from '../exec/sandbox.js';

// `strata reproduce`: the same target built twice, from scratch, in two
// fresh project folders under conditions that must not matter
// (reproducible-builds.org's list, as reprotest varies them: build path,
// time and time zone, locale, umask, user, host name, parallelism), then
// compared task by task (compare-builds.ts).
//
// What reaches the tasks: the build path, the host name (the sandbox's own
// UTS namespace), the host uid tasks run as (root only: another subordinate
// uid; inside its user namespace a task is uid 0 either way), -j (${JOBS})
// and the wall clock (the second build starts later). The time zone, locale
// and umask are varied for the strata process, which writes packages and
// images itself; tasks always get TZ=UTC and LC_ALL=C
// (core/exec/task-script.ts, as BitBake exports TZ) and every build sets
// umask 022 first (core/build/build-umask.ts), so those three cannot vary
// inside a task: varying them proves that. Not varied: the kernel version,
// the clock's rate (that needs libfaketime).

export interface Condition {
  readonly name: string;
  /** Folder of the build, relative to the work folder: the two differ in depth and length. */
  readonly dir: string;
  /** The strata process's environment on top of the caller's: time zone, locale, and the sandbox's host name and uid. */
  readonly env: Readonly<Record<string, string>>;
  readonly umask: string;
  readonly jobs: number;
}

/** A uid of root's subordinate range other than the one tasks use by default (as root; /etc/subuid gives 65536). */
const otherUid = (): string => String(sandboxUid() + 1000);

/** The two builds' conditions; `umask` is the second build's (the first uses 022). */
export function conditions(jobs: number, umask = '077', asRoot = process.getuid?.() === 0): Condition[] {
  return [
    { name: 'first', dir: 'a', env: { TZ: 'UTC', LC_ALL: 'C', LANG: 'C', [SANDBOX_HOSTNAME_ENV]: 'localhost' }, umask: '022', jobs },
    // UTC+14, a UTF-8 locale, a umask that takes every bit from group and others, another host name and uid.
    {
      name: 'second',
      dir: 'second/with-a-longer/build-path',
      env: {
        TZ: 'Pacific/Kiritimati',
        LC_ALL: 'C.UTF-8',
        LANG: 'C.UTF-8',
        [SANDBOX_HOSTNAME_ENV]: 'reproduce-second.example',
        ...(asRoot ? { [SANDBOX_UID_ENV]: otherUid() } : {}),
      },
      umask,
      // Twice as many jobs: another interleaving. Not -j 1, which would make a real image's build take several times as long.
      jobs: 2 * jobs,
    },
  ];
}

export function describe(c: Condition): string {
  const uid = c.env[SANDBOX_UID_ENV] ? `task uid ${c.env[SANDBOX_UID_ENV]}` : `task uid ${process.getuid?.() === 0 ? `${sandboxUid()} (default)` : 'yours'}`;
  return `path …/${c.dir}, TZ=${c.env.TZ}, LC_ALL=${c.env.LC_ALL}, umask ${c.umask}, -j ${c.jobs}, host name ${c.env[SANDBOX_HOSTNAME_ENV]}, ${uid}`;
}

/** The report's account of what was varied and how far it reached. */
export const CONDITIONS_NOTE = [
  "Varied and seen by the tasks: build path, host name (the sandbox's UTS namespace), -j, the start time (the clock);",
  'as root also the host uid tasks run as (inside their user namespace they are uid 0 either way).',
  'Varied for strata itself, which writes packages and images: TZ, locale and umask. Tasks always get TZ=UTC and',
  'LC_ALL=C, and every build sets umask 022 before it writes anything (core/build/build-umask.ts), so these three are the same in every task.',
  "Not varied: the kernel version and the clock's rate (that needs libfaketime).",
];

export interface BuildRun {
  readonly condition: Condition;
  readonly project: string;
  readonly log: string;
  readonly code: number;
}

/** One build in a child process, under one condition; its output goes to `<work>/<name>.log`. */
export async function runBuild(cli: string, target: string, project: Project, work: string, c: Condition, sets: readonly string[]): Promise<BuildRun> {
  const dir = join(work, c.dir);
  writeDerivedProject(project, dir);
  const log = join(work, `${c.name}.log`);
  const args = [cli, 'build', target, '--project', dir, '-j', String(c.jobs), ...sets.flatMap((s) => ['--set', s])];
  const { exit } = await runProcess('/bin/sh', ['-c', 'umask "$0" && exec "$@"', c.umask, process.execPath, ...args], {
    cwd: dir,
    env: { ...process.env, ...c.env },
    log,
  });
  const code = exitCode(exit);
  return { condition: c, project: dir, log, code };
}

function sideOf(run: BuildRun, target: string, writers: readonly ImageWriter[]): BuildSide {
  const cfg = new Configuration(loadProject(run.project));
  // Only outputs() is called on this context: no fetcher needed.
  const layout = new BuildLayout(cfg.project, cfg.machine.name);
  const ctx = { cfg, layout, fetcher: undefined as never, writers } satisfies BuildContext;
  return { ctx, stampsDir: layout.stampsDir, graph: planBuild(cfg, target).graph };
}

export async function compareRuns(target: string, a: BuildRun, b: BuildRun, writers: readonly ImageWriter[]): Promise<Comparison> {
  return compareBuilds(TASKS, sideOf(a, target, writers), sideOf(b, target, writers));
}

/** diffoscope's text report of two outputs, when diffoscope is installed (it is in Debian). */
export async function diffoscope(a: string, b: string, report: string): Promise<boolean> {
  if (!findProgram('diffoscope')) return false;
  await runProcess('diffoscope', ['--text', report, '--no-progress', a, b], { stdout: 'ignore', stderr: 'ignore', timeoutMs: 600_000 });
  return true;
}
