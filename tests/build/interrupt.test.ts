import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { layerSet } from '../helpers/layer-set.js';
import { CLI, scratchDirs, strata } from '../helpers/strata.js';

// SIGTERM (or Ctrl-C) in the middle of a task: every process of the task
// (its whole group, background children too) is stopped, the build exits
// 130, the interrupted task has no stamp, and the next build runs it again.

const tempDir = scratchDirs(test);
const s = layerSet(tempDir, {
  core: {
    'recipes/slow.yaml':
      'name: slow\nversion: "1"\nvars:\n  SLOW: "1"\ntasks:\n  compile: |\n    if [ "${SLOW}" = 1 ]; then\n      sleep 3017 &\n      echo started > "$WORKDIR/pids"\n      wait\n    fi\n',
  },
});
const work = join(s.dir, 'build/work/board/slow-1');
// The task runs in its own PID namespace, so its pids mean nothing on the
// host: its processes are found by their command line.
const taskProcesses = () => spawnSync('pgrep', ['-f', 'sleep 3017'], { encoding: 'utf8' }).stdout.trim();

test('SIGTERM stops the task and its children, leaves no stamp for it, and the next build runs it', async () => {
  const child = spawn(process.execPath, [CLI, 'build', 'slow'], { cwd: s.dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const pidsFile = join(work, 'pids');
  for (let i = 0; i < 600 && !existsSync(pidsFile); i++) await new Promise((r) => setTimeout(r, 50));
  assert.ok(taskProcesses(), "the task's background child runs");
  child.kill('SIGTERM');
  const code = await new Promise<number>((r) => child.on('close', (c) => r(c ?? -1)));
  assert.is(code, 130, out);
  for (let i = 0; i < 40 && taskProcesses(); i++) await new Promise((r) => setTimeout(r, 50));
  assert.is(taskProcesses(), '', 'no process of the task is left');
  const stamps = join(s.dir, 'build/stamps/board/slow');
  assert.ok(existsSync(join(stamps, 'configure.json')), 'finished tasks keep their stamps');
  assert.not.ok(existsSync(join(stamps, 'compile.json')), 'the interrupted task has none');

  const why = await strata(['why', 'slow:compile'], { cwd: s.dir });
  assert.match(why.stdout, 'slow:compile: has not run in this build folder yet');
  const again = await strata(['build', 'slow', '--set', 'SLOW=0'], { cwd: s.dir });
  assert.is(again.code, 0, again.stdout + again.stderr);
  assert.match(again.stdout, /^done {4}slow:compile/m);
  assert.not.match(again.stdout, /^done {4}slow:configure/m, 'configure was not run again');
});

test.run();
