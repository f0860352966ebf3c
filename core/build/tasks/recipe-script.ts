import { taskVariable } from '../../metadata/body.js';
import type { Recipe } from '../../resolve/recipe.js';
import type { BuildContext, TaskImplementation } from '../context.js';
import { recipeScript, runShellTask, scriptVariables } from '../shell-task.js';

// configure, compile and install run the recipe's own scripts (`tasks:` in
// YAML, i.e. the do_<task> variables), from the build folder ${B}.

function script(r: Recipe, ctx: BuildContext, task: string): string {
  const v = taskVariable(task);
  const body = r.data.has(v) ? r.data.get(v) : `: ${task}: nothing to do`;
  // install always starts from an empty ${D}, so removed files do not linger.
  const prelude = task === 'install' ? 'rm -rf "$D"\nmkdir -p "$D"' : undefined;
  return recipeScript(r, ctx, task, body, r.data.get('B'), prelude);
}

export function recipeScriptTask(task: 'configure' | 'compile' | 'install'): TaskImplementation {
  const recipe = (p: unknown) => (p as { recipe: Recipe }).recipe;
  return {
    inputs: (node) => ({ vars: scriptVariables(recipe(node.payload), task) }),
    run: (t) => runShellTask(t, recipe(t.node.payload), task, script(recipe(t.node.payload), t.ctx, task)),
    // install's ${D} is what later tasks and other recipes' sysroots use;
    // configure and compile only change the work folder.
    outputs: task === 'install' ? (node) => [recipe(node.payload).data.get('D')] : undefined,
  };
}
