import { readFile, writeFile, chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { runInPty } from '../exec/pty-runner.js';
import { BASE_ENV, composeTaskScript, exportedNames } from '../exec/task-script.js';
import { taskVariable } from '../metadata/body.js';
import { looksLikeNetworkFailure, offlineCommand } from '../exec/sandbox.js';
import type { Recipe } from '../resolve/recipe.js';
import { TaskFailed, type TaskRun } from './context.js';

// Runs a task script offline: written to run.<task>, executed by /bin/sh in
// its own network namespace inside a pty, logged to log.<task>.

export async function runShellTask(t: TaskRun, r: Recipe, task: string, script: string): Promise<void> {
  const runFile = join(t.workdir, `run.${task}`);
  await writeFile(runFile, script);
  await chmod(runFile, 0o755);
  const cmd = offlineCommand(['/bin/sh', runFile]);
  const running = runInPty({ file: cmd.file, args: cmd.args, cwd: t.workdir, env: { ...BASE_ENV, HOME: t.workdir }, log: t.log });
  const abort = () => running.kill('SIGKILL');
  t.signal.addEventListener('abort', abort);
  try {
    const { exitCode, signal } = await running.result;
    if (t.signal.aborted) throw new TaskFailed(`${r.name}:${task} was stopped`);
    if (exitCode !== 0) {
      const log = await readFile(t.log, 'utf8').catch(() => '');
      const tail = log.trimEnd().split('\n').slice(-15).join('\n');
      const network = looksLikeNetworkFailure(log)
        ? `\nThe task tried to use the network, but build tasks have no network (each runs in its own network namespace). Declare what it downloads as a source with a sha256, so the fetch phase gets it.`
        : '';
      throw new TaskFailed(`${r.name}:${task} failed (exit code ${exitCode}${signal ? `, signal ${signal}` : ''})${network}\n  script: ${runFile}\n  log:    ${t.log}\n${tail}`, t.log);
    }
  } finally {
    t.signal.removeEventListener('abort', abort);
  }
}

export function recipeScript(r: Recipe, task: string, body: string, cwd: string, prelude?: string): string {
  return composeTaskScript(r, task, body, { cwd, prelude });
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
