import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { layerSet } from '../helpers/layer-set.js';
import { scratchDirs, strata } from '../helpers/strata.js';

// A recipe is hostile code run by the build: each task runs in a sandbox
// (docs/security.md) where it cannot write the host, see other recipes'
// work, host processes or Unix sockets, or leave a daemon behind. Every
// case here was possible before the sandbox (issue 9).

const tempDir = scratchDirs(test);
const tag = `${process.pid}`;
const recipe = (name: string, tasks: string) => `name: ${name}\nversion: "1"\nlicense: MIT\ntasks:\n${tasks}`;
const block = (task: string, body: string) =>
  `  ${task}: |\n${body
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n')}\n`;

const socketPath = join('/tmp', `strata-hostile-${tag}.sock`);
const abstractName = `\0strata-hostile-${tag}`;
const servers: Server[] = [];
let connections = 0;
const listen = (where: string) =>
  new Promise<void>((done) => {
    const s = createServer((c) => {
      connections++;
      c.end();
    });
    servers.push(s);
    s.listen(where, done);
  });
test.before(async () => {
  await listen(socketPath);
  await listen(abstractName);
});
test.after(() => servers.forEach((s) => s.close()));

// The task's script is shell inside YAML: the JavaScript string is single-quoted, an abstract name's NUL made in JavaScript.
const connect = (where: string) =>
  `node -e "require('net').connect(${where.startsWith('\0') ? `String.fromCharCode(0) + '${where.slice(1)}'` : `'${where}'`}).on('connect', () => process.exit(9)).on('error', () => process.exit(0))"`;

const s = layerSet(tempDir, {
  core: {
    'recipes/victim.yaml': recipe('victim', block('install', 'mkdir -p "$D" && echo secret > "$D/secret"')),
    'recipes/writer.yaml': recipe('writer', block('install', `mkdir -p /usr/local/strata-hostile-${tag}\necho pwned > /usr/local/strata-hostile-${tag}/x`)),
    'recipes/rootwriter.yaml': recipe('rootwriter', block('install', `echo pwned > /root/strata-hostile-${tag}`)),
    'recipes/unset.yaml': recipe('unset', block('install', 'rm -rf "$DESTDIRR/usr"')),
    'recipes/spy.yaml': recipe(
      'spy',
      block(
        'compile',
        [
          'set -x',
          // no other recipe's work folder, no stamps, no cache
          'test ! -e "$WORKDIR/../victim-1"',
          'test ! -e "$WORKDIR/../../../stamps"',
          // no host process: only the sandbox's own few
          `test ! -e /proc/${process.pid}`,
          'test "$(ls /proc | grep -c "^[0-9]")" -lt 10',
          // no host Unix socket, by path or abstract name
          connect(socketPath),
          connect(abstractName),
          // a private /tmp: what is written there never reaches the host
          `echo x > /tmp/strata-hostile-${tag}-tmp`,
          // root inside, an unprivileged uid outside (checked by the test)
          'id -u > "$WORKDIR/inside-uid"',
          'touch "$WORKDIR/made-by-task"',
          // a daemon that detaches itself
          'setsid sleep 3021 > /dev/null 2>&1 < /dev/null &',
          'sleep 0.2',
        ].join('\n'),
      ),
    ),
  },
});

test('a task that writes to the host system folders fails, and the error names the path', async () => {
  const r = await strata(['build', 'writer'], { cwd: s.dir });
  assert.is(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stderr, 'writer:install failed');
  assert.match(r.stderr, `tried to write outside its work folder (/usr/local/strata-hostile-${tag}`);
  assert.not.ok(existsSync(`/usr/local/strata-hostile-${tag}`), 'nothing was written on the host');
});

test('a task cannot write to /root either (it is not there)', async () => {
  const r = await strata(['build', 'rootwriter'], { cwd: s.dir });
  assert.is(r.code, 1, r.stdout + r.stderr);
  assert.not.ok(existsSync(`/root/strata-hostile-${tag}`));
});

test('an unset variable stops the script (set -u) instead of becoming an empty path', async () => {
  const r = await strata(['build', 'unset'], { cwd: s.dir });
  assert.is(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stderr, /DESTDIRR: parameter not set|DESTDIRR: unbound variable/);
});

test('a task sees no other work folder, no host process or socket, keeps /tmp private, and its daemon dies with it', async () => {
  await strata(['build', 'victim'], { cwd: s.dir });
  const r = await strata(['build', 'spy'], { cwd: s.dir });
  assert.is(r.code, 0, r.stdout + r.stderr + readLog('spy', 'compile'));
  assert.is(connections, 0, 'no socket connection reached the host');
  assert.not.ok(existsSync(`/tmp/strata-hostile-${tag}-tmp`), "the task's /tmp is its own");
  assert.is(spawnSync('pgrep', ['-f', 'sleep 3021'], { encoding: 'utf8' }).stdout.trim(), '', 'the setsid daemon did not survive its task');
  const work = join(s.dir, 'build/work/board/spy-1');
  assert.is(readFileSync(join(work, 'inside-uid'), 'utf8').trim(), '0', 'root inside its namespace');
  if (process.getuid?.() === 0) assert.not.equal(statSync(join(work, 'made-by-task')).uid, 0, 'not root on the host');
});

test('run.<task> re-run by hand enters the same sandbox', () => {
  const run = join(s.dir, 'build/work/board/writer-1/run.install');
  const r = spawnSync('sh', [run], { encoding: 'utf8' });
  assert.is.not(r.status, 0);
  assert.match(r.stderr + r.stdout, 'Read-only file system');
  assert.not.ok(existsSync(`/usr/local/strata-hostile-${tag}`));
});

function readLog(recipe: string, task: string): string {
  const p = join(s.dir, `build/work/board/${recipe}-1/log.${task}`);
  return existsSync(p) ? readFileSync(p, 'utf8') : '';
}

test.run();
