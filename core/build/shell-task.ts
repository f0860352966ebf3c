import { readFile, writeFile, chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { runInPty } from '../exec/pty-runner.js';
import { BASE_ENV, composeTaskScript } from '../exec/task-script.js';
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
