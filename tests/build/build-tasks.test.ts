import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildTasks } from '../../core/build/build-tasks.js';
import { TaskFailed, type BuildContext, type TaskImplementation, type TaskRun } from '../../core/build/context.js';
import type { TaskPayload } from '../../core/graph/plan.js';
import { TaskGraph } from '../../core/graph/task-graph.js';
import { diag, UserError } from '../../core/diagnostics/diagnostic.js';
import { recipeId, taskId, taskName } from '../../core/model/ids.js';
import { scratchDirs } from '../helpers/strata.js';

// The build's side of the scheduler's seam (core/build/build-tasks.ts):
// each node goes to its kind's implementation, in its work folder (made
// once, with its marker), logging to log.<task>; a full disk and bad
// metadata are failures the user can act on, anything else a bug.

const tempDir = scratchDirs(test);

function setup() {
  const workdir = join(tempDir('strata-build-tasks-'), 'work/app-1');
  const graph = new TaskGraph<TaskPayload>();
  const payload = { kind: 'compile', recipe: { data: { get: (v: string) => (v === 'WORKDIR' ? workdir : '') } } } as unknown as TaskPayload;
  const node = graph.add(taskId(recipeId('app'), taskName('compile')), [], payload);
  const runs: TaskRun[] = [];
  const compile: TaskImplementation = { inputs: () => 'compile inputs', run: async (t) => void runs.push(t), outputs: () => ['/x/out'] };
  const tasks = buildTasks({ compile } as unknown as Record<TaskPayload['kind'], TaskImplementation>, {} as BuildContext);
  return { workdir, node, runs, tasks };
}

test('a run goes to its kind, in its work folder with its marker, logging to log.<task>', async () => {
  const { workdir, node, runs, tasks } = setup();
  assert.is(await tasks.workdirId(node), undefined, 'no work folder yet');
  const stop = new AbortController();
  await tasks.run(node, stop.signal);
  assert.is(runs.length, 1);
  assert.equal({ workdir: runs[0].workdir, log: runs[0].log, aborted: runs[0].signal.aborted }, { workdir, log: join(workdir, 'log.compile'), aborted: false });
  assert.ok(existsSync(join(workdir, '.strata-workdir')));
  assert.is(await tasks.workdirId(node), readFileSync(join(workdir, '.strata-workdir'), 'utf8').trim());
  assert.is(await tasks.inputs(node), 'compile inputs');
  assert.equal(tasks.outputs(node), ['/x/out']);
});

test('a full disk and bad metadata become task failures; anything else stays a bug', () => {
  const { workdir, node, tasks } = setup();
  const table: [string, unknown, RegExp | undefined][] = [
    ['ENOSPC', Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' }), new RegExp(`no space left on the device holding ${workdir}`)],
    ['EDQUOT', Object.assign(new Error('EDQUOT'), { code: 'EDQUOT', path: join(workdir, 'big') }), /disk quota reached/],
    ['UserError', new UserError(diag('package-unknown', "no recipe makes package 'x'")), /no recipe makes package 'x'/],
    ['TypeError', new TypeError('x is undefined'), undefined],
    ['EACCES', Object.assign(new Error('EACCES'), { code: 'EACCES' }), undefined],
    ['a string', 'thrown text', undefined],
  ];
  for (const [name, caught, expected] of table) {
    const failed = tasks.failure!(caught, node);
    if (!expected) assert.is(failed, undefined, name);
    else {
      assert.instance(failed, TaskFailed, name);
      assert.match(failed!.message, expected, name);
    }
  }
});

test.run();
