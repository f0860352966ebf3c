import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { layerSet } from '../helpers/layer-set.js';
import { freePort, startNginx, type Nginx } from '../helpers/nginx.js';
import { scratchDirs, strata, writeTree } from '../helpers/strata.js';

// The remote cache against a real nginx with WebDAV PUT on 127.0.0.1: two
// project folders with their own local caches stand in for two machines.

const tempDir = scratchDirs(test);
let nginx: Nginx;
test.before(async () => {
  nginx = await startNginx(tempDir('strata-nginx-'));
});
test.after(() => nginx.close());

const s = layerSet(tempDir, {
  core: {
    'recipes/liba.yaml': 'name: liba\nversion: "1"\ntasks:\n  compile: echo liba > liba.txt\n  install: mkdir -p $D/usr/share && cp liba.txt $D/usr/share/\n',
    'recipes/app.yaml': 'name: app\nversion: "1"\ndepends: [liba]\ntasks:\n  install: mkdir -p $D/usr/bin && echo app > $D/usr/bin/app\n',
  },
});

function machine(remote: string): string {
  const dir = tempDir('strata-machine-');
  writeTree(dir, { 'strata.yaml': `layers: [${s.layer('core')}]\nmachine: board\ndistro: testdistro\n${remote}` });
  return dir;
}
const ran = (out: string) => [...out.matchAll(/^done {4}(\S+)/gm)].map((m) => m[1]);
const restored = (out: string) => [...out.matchAll(/^cached {2}(\S+)/gm)].map((m) => m[1]).sort();
const files = (dir: string): string[] => readdirSync(dir, { recursive: true }).map(String).filter((f) => /\.(json|tar)$/.test(f)).sort();

test("one machine's build fills another's from the remote cache", async () => {
  const a = machine(`remote-cache:\n  url: ${nginx.url}/cache\n  write: true\n`);
  const first = await strata(['build', 'app'], { cwd: a });
  assert.is(first.code, 0, first.stdout + first.stderr);
  const stored = files(join(nginx.root, 'cache'));
  assert.is(stored.length, 2 * 4, 'install and package of both recipes, a tar and a json each');

  const b = machine(`remote-cache: ${nginx.url}/cache\n`);
  const second = await strata(['build', 'app'], { cwd: b });
  assert.is(second.code, 0, second.stdout + second.stderr);
  assert.equal(ran(second.stdout), [], 'nothing ran on the second machine');
  assert.equal(restored(second.stdout), ['app:package'], "liba's package task is needed only by app's, which is restored");
  assert.equal(files(join(b, 'cache')).length, 2, 'the object went through the local cache');
  const app = JSON.parse(readFileSync(join(b, 'build/work/board/app-1/packages/app.json'), 'utf8'));
  assert.is(app.files.find((f: { path: string }) => f.path === '/usr/bin/app').sha256, createHash('sha256').update('app\n').digest('hex'));
  assert.ok(existsSync(join(b, 'build/deploy/ipk/aarch64/app_1_aarch64.ipk')));
  assert.equal(files(join(nginx.root, 'cache')), stored, 'a read-only machine stores nothing remotely');
});

test('a corrupt object on the server is refused, and the task runs locally', async () => {
  for (const f of files(join(nginx.root, 'cache')).filter((x) => x.endsWith('.json'))) {
    const info = JSON.parse(readFileSync(join(nginx.root, 'cache', f), 'utf8'));
    if (info.node === 'app:package') writeFileSync(join(nginx.root, 'cache', f.replace(/json$/, 'tar')), 'garbage');
  }
  const c = machine(`remote-cache: ${nginx.url}/cache\n`);
  const r = await strata(['build', 'app'], { cwd: c });
  assert.is(r.code, 0, r.stdout + r.stderr);
  assert.ok(ran(r.stdout).includes('app:package'), 'app:package ran');
  assert.ok(restored(r.stdout).includes('liba:package'), 'the good object was still used');
});

test('a remote cache that is down: a warning, and the build goes on locally', async () => {
  const port = await freePort();
  const d = machine(`remote-cache:\n  url: http://user:secret@127.0.0.1:${port}/cache\n  write: true\n`);
  const r = await strata(['build', 'app'], { cwd: d });
  assert.is(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stderr, `warning: remote cache http://***@127.0.0.1:${port}/cache: reading failed (ECONNREFUSED); going on with the local cache only`);
  assert.is(r.stderr.match(/warning: remote cache/g)?.length, 1, 'said once');
  assert.not.match(r.stderr + r.stdout, 'secret');
  assert.is(ran(r.stdout).length, 16, 'everything built locally');
});

test.run();
