import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { BUILD_EPOCH, BuildLayout } from '../../core/config/build-layout.js';
import { Session } from '../../core/session/session.js';
import { layerSet } from '../helpers/layer-set.js';
import { scratchDirs } from '../helpers/strata.js';

// The session every command asks for what it needs, and the one layout of
// the build folder: each path named once, each part made once.

const tempDir = scratchDirs(test);

test('every path of the build folder, for one machine', () => {
  const l = new BuildLayout({ buildDir: '/p/build', downloads: '/p/downloads', cache: '/p/cache' }, 'board');
  const table: [string, string][] = [
    [l.lockFile, '/p/build/.lock'],
    [l.workDir, '/p/build/work/board'],
    [l.imageWorkdir('minimal'), '/p/build/work/board/minimal-image'],
    [l.stampsDir, '/p/build/stamps/board'],
    [l.recipeStampsDir('busybox'), '/p/build/stamps/board/busybox'],
    [l.deployDir, '/p/build/deploy'],
    [l.imagesDir, '/p/build/deploy/images/board'],
    [l.imageFile('minimal', '.qemuboot.json'), '/p/build/deploy/images/board/minimal-board.qemuboot.json'],
    [l.feedDir('aarch64'), '/p/build/deploy/ipk/aarch64'],
    [l.reproduceDir('minimal'), '/p/build/reproduce/minimal'],
    [l.downloads, '/p/downloads'],
  ];
  for (const [got, want] of table) assert.is(got, want);
  assert.is(l.cache, '/p/cache');
  assert.is(l.epoch, BUILD_EPOCH);
  assert.is(new Date(BUILD_EPOCH * 1000).toISOString(), '2024-01-01T00:00:00.000Z');
});

test('a session makes each part once, and its layout agrees with the recipes WORKDIR and SOURCE_DATE_EPOCH', async () => {
  const s = layerSet(tempDir, {
    core: {
      'recipes/app.yaml': 'name: app\nversion: "2"\n',
      'images/tiny.yaml': 'install: []\n',
      'recipes/shadow.yaml': 'name: shadow\nversion: "1"\n',
      'images/shadow.yaml': 'install: []\n',
    },
  });
  const session = new Session(s.project(), () => {});
  assert.is(session.cfg, session.cfg);
  assert.is(session.layout, session.layout);
  assert.is(session.layout.buildDir, join(s.dir, 'build'));
  const app = session.cfg.recipe('app');
  assert.is(app.data.get('WORKDIR'), join(session.layout.workDir, 'app-2'));
  assert.is(app.data.get('SOURCE_DATE_EPOCH'), String(session.layout.epoch));
  assert.ok(session.isImage('tiny'));
  assert.not.ok(session.isImage('app'));
  assert.not.ok(session.isImage('shadow'), 'a recipe of the same name wins over an image');
  assert.not.ok(session.plan('shadow').image);
  const services = await session.services();
  assert.is(await session.services(), services);
  assert.is(services.context.layout, session.layout);
  assert.is(services.stamps.dir, session.layout.stampsDir);
  assert.is(services.fetcher, services.context.fetcher);
});

test.run();
