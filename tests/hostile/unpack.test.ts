import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { tarArchive } from '../../core/archive/tar-writer.js';
import { memberProblems } from '../../core/archive/unpack-safety.js';
import type { TarEntry } from '../../core/archive/tar-reader.js';
import { layerSet } from '../helpers/layer-set.js';
import { scratchDirs, strata } from '../helpers/strata.js';
import { member, type Member as M } from '../helpers/archive-members.js';

// Archives that are each harmless alone but escape together, links left in
// the work folder by an earlier run, and archives that expand far beyond
// their size: each is refused before anything is extracted (issue 9).

const tempDir = scratchDirs(test);
const m = member;
const entry = (x: M): TarEntry =>
  ({
    path: String(x.path),
    type: x.type,
    linkname: String(x.linkname ?? ''),
    size: 0,
    mode: x.mode,
    mtime: 0,
    typeflag: '0',
    pax: new Map(),
    pathBytes: Buffer.alloc(0),
    linkBytes: Buffer.alloc(0),
  }) as unknown as TarEntry;

// a/b/link -> ../.. is the work folder itself; seen literally, a/b/link/c/up -> ../../.. stays in `a`.
const first = [m('a/b', 'dir'), m('a/b/link', 'symlink', { linkname: '../..' })];
const second = [m('a/b/link/c', 'dir'), m('a/b/link/c/up', 'symlink', { linkname: '../../..' }), m('a/b/link/c/up/escaped', 'file', { data: 'x' })];

test('each archive alone passes, but checked together (as they are extracted) the second climbs out', () => {
  assert.equal(memberProblems(first.map(entry)), []);
  assert.equal(memberProblems([m('a/b/link/c/up', 'symlink', { linkname: '../../..' })].map(entry)), [], 'seen alone, the link stays inside');
  const together = memberProblems([...first, ...second].map(entry)).map((p) => `${p.member}: ${p.reason}`);
  assert.ok(together.includes("a/b/link/c/up: is a symlink to '../../..', outside the work folder"), together.join('\n'));
  assert.ok(
    together.some((p) => p.startsWith('a/b/link/c/up/escaped: is written through the symlink')),
    together.join('\n'),
  );
});

test('a link already on disk redirects members too', () => {
  const onDisk = (p: string) => (p === 'out' ? '/tmp' : undefined);
  const found = memberProblems([m('out/evil', 'file')].map(entry), { onDisk });
  assert.equal(
    found.map((p) => p.reason),
    ["is written through the symlink 'out' (to '/tmp'), which leads out of the work folder"],
  );
});

const layer = (files: Record<string, string>) => layerSet(tempDir, { core: files });
const archive = (members: M[]) => gzipSync(tarArchive(members));

test('a recipe whose archives escape together is refused before extracting anything, naming the archive', async () => {
  const s = layer({
    'recipes/chain.yaml': 'name: chain\nversion: "1"\nlicense: MIT\nsources:\n  - url: file://one.tar.gz\n  - url: file://two.tar.gz\nvars:\n  S: ${WORKDIR}\n',
  });
  mkdirSync(join(s.layer('core'), 'recipes/chain'), { recursive: true });
  writeFileSync(join(s.layer('core'), 'recipes/chain/one.tar.gz'), archive(first));
  writeFileSync(join(s.layer('core'), 'recipes/chain/two.tar.gz'), archive(second));
  const r = await strata(['build', 'chain'], { cwd: s.dir });
  assert.is(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stderr, 'error[unpack-unsafe-member]: chain: refusing to unpack');
  assert.match(r.stderr, 'two.tar.gz');
  assert.not.ok(existsSync(join(s.dir, 'build/work/board/chain-1/a')), 'nothing was extracted');
});

test('a link left in the work folder by an earlier run is followed by the check', async () => {
  const s = layer({ 'recipes/stale.yaml': 'name: stale\nversion: "1"\nlicense: MIT\nsources:\n  - url: file://t.tar.gz\nvars:\n  S: ${WORKDIR}/src\n' });
  mkdirSync(join(s.layer('core'), 'recipes/stale'), { recursive: true });
  writeFileSync(join(s.layer('core'), 'recipes/stale/t.tar.gz'), archive([m('out/evil', 'file', { data: 'x' })]));
  const work = join(s.dir, 'build/work/board/stale-1');
  mkdirSync(work, { recursive: true });
  symlinkSync('/tmp', join(work, 'out'));
  const r = await strata(['build', 'stale'], { cwd: s.dir });
  assert.is(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stderr, "member 'out/evil' is written through the symlink 'out' (to '/tmp')");
});

test('archives that would write more than UNPACK_MAX_SIZE are refused, with the way to raise it', async () => {
  const s = layer({ 'recipes/bomb.yaml': 'name: bomb\nversion: "1"\nlicense: MIT\nsources:\n  - url: file://bomb.tar.gz\nvars:\n  UNPACK_MAX_SIZE: 4M\n' });
  mkdirSync(join(s.layer('core'), 'recipes/bomb'), { recursive: true });
  const zeros = archive([m('bomb-1/zeros', 'file', { data: Buffer.alloc(32 * 2 ** 20) })]);
  assert.ok(zeros.length < 200_000, 'a small archive');
  writeFileSync(join(s.layer('core'), 'recipes/bomb/bomb.tar.gz'), zeros);
  const r = await strata(['build', 'bomb'], { cwd: s.dir });
  assert.is(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stderr, 'error[unpack-too-large]: bomb: its archives would write at least 32 MiB, more than UNPACK_MAX_SIZE (4M)');
  assert.not.ok(existsSync(join(s.dir, 'build/work/board/bomb-1/bomb-1/zeros')));
  const raised = await strata(['build', 'bomb', '--set', 'UNPACK_MAX_SIZE=64M'], { cwd: s.dir });
  assert.is(raised.code, 0, raised.stdout + raised.stderr);
});

test.run();
