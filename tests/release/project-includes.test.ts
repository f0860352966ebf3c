import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RELEASE_LAYER } from '../helpers/release-project.js';
import { scratchDirs, strata, writeTree } from '../helpers/strata.js';

// A project file that takes part of its settings from `include:` fragments
// (one beside it that includes another, one outside the project folder, one
// named by an absolute path): the project files that `strata reproduce` and
// `strata release` write in other folders must still find them, and must not
// get back, through them, the settings they replace (layers, mirrors, the
// remote cache).

const tempDir = scratchDirs(test);
const MIRROR = join(RELEASE_LAYER, 'mirror');
const IMAGE = 'build/deploy/images/tiny/tiny-tiny.cpio.gz';

/** The tiny fixture project with its settings spread over fragments: conf/board (-> conf/distro), ../shared/site, and an absolute one. */
function includingProject(): string {
  const root = tempDir('strata-includes-');
  const dir = join(root, 'project');
  writeTree(root, {
    'project/strata.yaml': `include: [conf/board, ../shared/site, ${join(dir, 'abs/extra.yaml')}]\nmirrors: [${MIRROR}]\noffline: true\n`,
    // A var spelled like a number keeps its spelling in the copies; the comment stays too.
    'project/conf/board.inc.yaml': `include: [distro]\nmachine: tiny\nlayers: [${RELEASE_LAYER}]\nvars:\n  BOARD_REV: 1.10 # as written\n`,
    'project/conf/distro.inc.yaml': 'distro: tinydistro\n',
    // Settings a release or a reproduce build must not inherit: another mirror, a remote cache.
    // Its head comment sits on its first key in the YAML model; it must outlive that key's removal.
    'shared/site.inc.yaml': "# the site's shared settings\n\nmirrors: [/nonexistent/site-mirror]\nremote-cache: http://127.0.0.1:9/cache\n",
    'project/abs/extra.yaml': 'vars:\n  EXTRA: "yes"\n',
  });
  return dir;
}

test('strata reproduce: both builds read the fragments from their own folder, without the replaced settings', async () => {
  const dir = includingProject();
  const work = join(tempDir(), 'work');
  const r = await strata(['reproduce', 'tiny', '--work', work, '--keep'], { cwd: dir });
  assert.is(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /tiny is reproducible/);
  const a = join(work, 'a');
  assert.match(readFileSync(join(a, 'strata.yaml'), 'utf8'), 'include:\n  - conf/board\n  - strata-include/site.inc.yaml\n  - strata-include/extra.yaml\n');
  assert.is(
    readFileSync(join(a, 'conf/board.inc.yaml'), 'utf8'),
    '# layers, machine: left out of this copy, set by the strata.yaml beside it\n\ninclude:\n  - distro\nvars:\n  BOARD_REV: 1.10 # as written\n',
  );
  assert.is(readFileSync(join(a, 'conf/distro.inc.yaml'), 'utf8'), '# distro: left out of this copy, set by the strata.yaml beside it\n\n{}\n');
  assert.is(
    readFileSync(join(a, 'strata-include/site.inc.yaml'), 'utf8'),
    "# mirrors, remote-cache: left out of this copy, set by the strata.yaml beside it\n# the site's shared settings\n\n{}\n",
    'no mirror, no remote cache',
  );
  const env = await strata(['env', '-r', 'tiny-files', 'BOARD_REV', '--project', a]);
  assert.is(env.code, 0, env.stdout + env.stderr);
  assert.match(env.stdout, '1.10');
});

test('strata release: the fragments are in the release, and a copy of it rebuilds the same image', async () => {
  const dir = includingProject();
  const release = join(tempDir(), 'release');
  const r = await strata(['release', 'tiny', release], { cwd: dir });
  assert.is(r.code, 0, r.stdout + r.stderr);
  assert.match(
    readFileSync(join(release, 'strata.yaml'), 'utf8'),
    'include:\n  - conf/board\n  - strata-include/site.inc.yaml\n  - strata-include/extra.yaml\n',
  );
  assert.is(
    readFileSync(join(release, 'conf/board.inc.yaml'), 'utf8'),
    '# layers, machine: left out of this copy, set by the strata.yaml beside it\n\ninclude:\n  - distro\nvars:\n  BOARD_REV: 1.10 # as written\n',
  );
  assert.is(readFileSync(join(release, 'strata-include/extra.yaml'), 'utf8'), 'vars:\n  EXTRA: "yes"\n');
  const copy = join(tempDir(), 'later', 'elsewhere');
  cpSync(release, copy, { recursive: true });
  const again = await strata(['build', 'tiny', '--offline', '--project', copy]);
  assert.is(again.code, 0, again.stdout + again.stderr);
  assert.not.match(again.stdout + again.stderr, '127.0.0.1:9', 'the remote cache of the fragment is not used');
  assert.ok(readFileSync(join(copy, IMAGE)).equals(readFileSync(join(dir, IMAGE))), 'bit-identical');
  const env = await strata(['env', '-r', 'tiny-files', 'EXTRA', '--project', copy]);
  assert.match(env.stdout, 'yes');
});

test.run();
