import { join } from 'node:path';
import type { BuildContext } from '../build/context.js';
import { findProgram, runProcess } from '../exec/launch.js';
import { exitCode } from '../exec/process-exit.js';
import { TASKS } from '../build/tasks/registry.js';
import { loadProject, type Project } from '../config/project.js';
import { planBuild } from '../graph/plan.js';
import type { ImageWriter } from '../image/image-writer.js';
import { Configuration } from '../resolve/configuration.js';
import { compareBuilds, stampsDir, type BuildSide, type Comparison } from './compare-builds.js';
import { writeDerivedProject } from './derived-project.js';

// `strata reproduce`: the same target built twice, from scratch, in two
// fresh project folders under conditions that must not matter
// (reproducible-builds.org's list: build path, time zone, locale, umask,
// parallelism), then compared task by task (compare-builds.ts).
//
// Not varied yet: the user (every build runs as the same user; the sandbox
// maps it to root inside), the clock (SOURCE_DATE_EPOCH is fixed; the wall
// clock differs between the two builds anyway, which is what catches a
// recipe writing `date`), the host name and the kernel version.

export interface Condition {
  readonly name: string;
  /** Folder of the build, relative to the work folder: the two differ in depth and length. */
  readonly dir: string;
  readonly env: Readonly<Record<string, string>>;
  readonly umask: string;
  readonly jobs: number;
}

/** The two builds' conditions; `umask` is the second build's (the first uses 022). */
export function conditions(jobs: number, umask = '077'): Condition[] {
  return [
    { name: 'first', dir: 'a', env: { TZ: 'UTC', LC_ALL: 'C', LANG: 'C' }, umask: '022', jobs: 1 },
    // UTC+14, a UTF-8 locale, a umask that takes every bit from group and others.
    {
      name: 'second',
      dir: 'second/with-a-longer/build-path',
      env: { TZ: 'Pacific/Kiritimati', LC_ALL: 'C.UTF-8', LANG: 'C.UTF-8' },
      umask,
      jobs: Math.max(2, jobs),
    },
  ];
}

export const describe = (c: Condition): string => `path …/${c.dir}, TZ=${c.env.TZ}, LC_ALL=${c.env.LC_ALL}, umask ${c.umask}, -j ${c.jobs}`;

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
  const ctx = { cfg, fetcher: undefined as never, writers, sourceDateEpoch: 0 } satisfies BuildContext;
  return { ctx, stampsDir: stampsDir(cfg.project.buildDir, cfg.machine.name), graph: planBuild(cfg, target).graph };
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
