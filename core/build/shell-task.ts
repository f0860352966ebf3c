import { readFile, writeFile, chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { launch } from '../exec/launch.js';
import { describeExit, succeeded } from '../exec/process-exit.js';
import { BASE_ENV, composeTaskScript, exportedNames } from '../exec/task-script.js';
import { taskVariable } from '../metadata/body.js';
import { looksLikeNetworkFailure, pathsWrittenOutside } from '../exec/sandbox.js';
import type { Recipe } from '../resolve/recipe.js';
import { TaskFailed, type BuildContext, type TaskRun } from './context.js';
import { adoptWorkdir } from './workdir-owner.js';
import { taskSandbox } from './task-sandbox.js';

// Runs a task script: written to run.<task>, executed by /bin/sh inside a
// pty, logged to log.<task>. The script enters its own sandbox first
// (core/exec/sandbox.ts), so Strata runs exactly what a user re-runs by hand.

export async function runShellTask(t: TaskRun, r: Recipe, task: string, script: string): Promise<void> {
  const runFile = join(t.workdir, `run.${task}`);
  await adoptWorkdir(t.workdir, taskSandbox(r, t.ctx).uid);
  await writeFile(runFile, script);
  await chmod(runFile, 0o755);
  // In a pty, as a user would run it; the whole process group is killed when the build stops.
  const running = launch({ file: '/bin/sh', args: [runFile], cwd: t.workdir, env: { ...BASE_ENV, HOME: t.workdir }, pty: true, log: t.log, abort: t.signal, killSignal: 'SIGKILL' });
  const { exit } = await running.finished;
  if (t.signal.aborted) throw new TaskFailed(`${r.name}:${task} was stopped`);
  if (!succeeded(exit)) {
    const log = await readFile(t.log, 'utf8').catch(() => '');
    const tail = log.trimEnd().split('\n').slice(-15).join('\n');
    throw new TaskFailed(`${r.name}:${task} failed (${describeExit(exit)})${explain(log, t.workdir)}\n  script: ${runFile}\n  log:    ${t.log}\n${tail}`, t.log);
  }
}

/** What the sandbox refused, in words, when the log shows it. */
function explain(log: string, workdir: string): string {
  const outside = pathsWrittenOutside(log, [workdir]);
  const parts: string[] = [];
  if (outside.length) {
    parts.push(
      `\nThe task tried to write outside its work folder (${outside.slice(0, 5).join(', ')}). Tasks may write only under ${workdir} and a private /tmp; install into "$D", not the host (docs/security.md).`,
    );
  }
  if (looksLikeNetworkFailure(log)) {
    parts.push(`\nThe task tried to use the network, but build tasks have no network (each runs in its own network namespace). Declare what it downloads as a source with a sha256, so the fetch phase gets it.`);
  }
  return parts.join('');
}

export function recipeScript(r: Recipe, ctx: BuildContext, task: string, body: string, cwd: string, prelude?: string): string {
  const scriptPath = join(r.data.get('WORKDIR'), `run.${task}`);
  return composeTaskScript(r, task, body, { cwd, prelude, sandbox: taskSandbox(r, ctx), scriptPath });
}

/**
 * The variables a recipe's task script reads: the script as written
 * (do_<task>, unexpanded), the folder it runs in, the variables exported to
 * it, and every variable any of those refer to, expanded. This is the
 * `vars` part of the task's signature: exactly these, so an unrelated
 * variable change does not re-run the task.
 */
export function scriptVariables(r: Recipe, task: string, cwdVar = 'B'): Record<string, string> {
  const script = taskVariable(task);
  const direct = [cwdVar, 'WORKDIR', ...exportedNames(r)].filter((n) => r.data.has(n));
  const raw = [script, ...direct].map((n) => r.data.unexpanded(n) ?? '').join('\n');
  const vars: Record<string, string> = {};
  for (const n of new Set([...direct, ...r.data.referencesOf(raw)])) if (r.data.has(n)) vars[n] = r.data.get(n);
  if (r.data.has(script)) vars[script] = r.data.unexpanded(script)!;
  return vars;
}
