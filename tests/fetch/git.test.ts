import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { GitFetcher } from '../../core/fetch/git/git-fetcher.js';
import { SourceFetcher } from '../../core/fetch/orchestrator.js';
import { FileFetcher } from '../../core/fetch/transport/file.js';
import { HttpFetcher } from '../../core/fetch/transport/http.js';
import { gitSource, type GitSource } from '../../core/fetch/git/git-source.js';
import type { SourceSpec } from '../../core/metadata/body.js';
import { gitDaemon, widgetRepo, type GitDaemon, type TestRepo } from '../helpers/git-repo.js';
import { diagOf } from '../helpers/diagnostics.js';
import { scratchDirs, strata, writeTree } from '../helpers/strata.js';

// The git fetcher against real repositories: over file:// and over
// `git daemon` on 127.0.0.1, pinned commits checked against their branch,
// tarballs that are the same bytes whoever makes them, and offline builds
// from a mirror that holds nothing but the tarball.

const tempDir = scratchDirs(test);
let base: string;
let repo: TestRepo;
let daemon: GitDaemon;

test.before(async () => {
  base = tempDir('strata-git-');
  repo = widgetRepo(base);
  daemon = await gitDaemon(base);
});
test.after(() => daemon.close());

/** A project with one recipe, `widget`, built from a git source. */
function gitProject(source: Record<string, string>, extra: { offline?: boolean; mirrors?: string[] } = {}): string {
  const dir = tempDir();
  const fields = Object.entries(source).map(([k, v], i) => `${i === 0 ? '  - ' : '    '}${k}: ${v}`);
  writeTree(dir, {
    'layer/layer.yaml': 'name: gitcheck\npriority: 5\n',
    'layer/recipes/widget.yaml': [
      'name: widget',
      'version: "1.0"',
      'license: MIT',
      'sources:',
      ...fields,
      'vars:',
      '  S: ${WORKDIR}/widget',
      'tasks:',
      '  compile: cat greeting.txt > out.txt',
      '  install: install -D -m 0644 out.txt "$D/usr/share/widget/out.txt"',
      '',
    ].join('\n'),
    'strata.yaml': ['layers: [layer]', `mirrors: [${(extra.mirrors ?? []).join(', ')}]`, `offline: ${extra.offline ? 'true' : 'false'}`, ''].join('\n'),
  });
  return dir;
}

const built = (dir: string) => join(dir, 'build/work/qemuarm64/widget-1.0/image/usr/share/widget/out.txt');
const tarballs = (dir: string) => readdirSync(join(dir, 'downloads')).filter((f) => f.endsWith('.tar.gz'));
const fileUrl = () => `file://${repo.dir}`;

const loc = { file: 'widget.yaml', line: 5, column: 5 };
function source(url: string, rev: string, ref: { branch?: string; tag?: string }): GitSource {
  const at = (value: string) => ({ value, loc });
  const spec: SourceSpec = {
    url,
    unpack: true,
    loc,
    git: { rev: at(rev), branch: ref.branch ? at(ref.branch) : undefined, tag: ref.tag ? at(ref.tag) : undefined },
  };
  return gitSource(spec, url, 'widget', (v) => v.value);
}
/** The orchestrator with the plugins a git source meets: git for the clone, file and http for mirrors. */
const orchestrator = (downloads: string, more: { offline?: boolean; mirrors?: string[] } = {}) =>
  new SourceFetcher([new GitFetcher(), new FileFetcher(), new HttpFetcher()], {
    downloads,
    premirrors: [],
    mirrors: more.mirrors ?? [],
    offline: more.offline ?? false,
  });
const fetchGitSource = (src: GitSource, f: SourceFetcher) => f.fetchOne(src);
const settings = orchestrator;

test('a file:// git source is cloned bare into the download folder, made a tarball, and built from', async () => {
  const dir = gitProject({ git: fileUrl(), rev: repo.commits.second, branch: 'main' });
  const r = await strata(['build', 'widget', '--project', dir]);
  assert.is(r.code, 0, r.stderr + r.stdout);
  assert.is(readFileSync(built(dir), 'utf8'), 'hello from git\n');
  assert.ok(existsSync(join(dir, `downloads/git/localhost${repo.dir}.git/HEAD`)), 'bare clone at downloads/git/<host>/<path>.git');
  assert.equal(tarballs(dir), [`git_localhost${repo.dir.replace(/\//g, '_')}_${repo.commits.second}.tar.gz`]);
  const work = join(dir, 'build/work/qemuarm64/widget-1.0/widget');
  assert.is(readFileSync(join(work, 'link.txt'), 'utf8'), 'hello from git\n', 'symlinks survive');
  assert.ok(
    execFileSync('stat', ['-c', '%a', join(work, 'run.sh')])
      .toString()
      .trim()
      .endsWith('755'),
    'the executable bit survives',
  );
});

test('over git daemon on 127.0.0.1, a tag pin works like a branch pin', async () => {
  const dir = gitProject({ git: `${daemon.url}/widget`, rev: repo.commits.first, tag: 'v1' });
  const r = await strata(['build', 'widget', '--project', dir]);
  assert.is(r.code, 0, r.stderr + r.stdout);
  assert.match(r.stdout, `${daemon.url}/widget (tag v1)`);
  assert.is(readFileSync(built(dir), 'utf8'), 'hello from git\n');
  assert.equal(tarballs(dir), [`git_127.0.0.1_widget_${repo.commits.first}.tar.gz`], 'the port is not part of the name');
});

test('a commit that is not on the named branch is refused, naming commit, branch and recipe line', async () => {
  const dir = gitProject({ git: `${daemon.url}/widget`, rev: repo.commits.stray, branch: 'main' });
  const r = await strata(['build', 'widget', '--project', dir]);
  assert.is(r.code, 2, r.stdout + r.stderr);
  assert.match(r.stderr, 'git-rev-unreachable');
  assert.match(r.stderr, `commit ${repo.commits.stray} is not on branch 'main'`);
  assert.match(r.stderr, 'recipes/widget.yaml:5:');
  assert.match(r.stderr, `is at ${repo.commits.second}`);
  assert.equal(tarballs(dir), [], 'no tarball was made');
  // The same commit is fine when the branch it is on is named.
  const side = await fetchGitSource(source(fileUrl(), repo.commits.stray, { branch: 'side' }), settings(tempDir()));
  assert.is(side, undefined);
  const tag = await fetchGitSource(source(fileUrl(), repo.commits.second, { tag: 'v1' }), settings(tempDir()));
  assert.is(tag?.code, 'git-rev-unreachable', 'a tag pin is checked too');
});

test('an abbreviated, missing or symbolic rev is an error before anything is fetched', async () => {
  const dir = gitProject({ git: `${daemon.url}/widget`, rev: repo.commits.second.slice(0, 12), branch: 'main' });
  const r = await strata(['fetch', 'widget', '--project', dir]);
  assert.is(r.code, 2);
  assert.match(r.stderr, 'git-rev-not-full');
  assert.match(r.stderr, 'recipes/widget.yaml:6:');
  assert.match(r.stderr, 'abbreviated');
  assert.not.ok(existsSync(join(dir, 'downloads/git')), 'nothing was fetched');
  assert.is(diagOf(() => source(fileUrl(), 'main', { branch: 'main' })).code, 'git-rev-not-full');
  const noRev: SourceSpec = { url: fileUrl(), unpack: true, loc, git: { branch: { value: 'main', loc } } };
  assert.is(diagOf(() => gitSource(noRev, fileUrl(), 'widget', (v) => v.value)).code, 'git-rev-missing');
  assert.is(diagOf(() => source(fileUrl(), repo.commits.first, {})).code, 'git-ref', 'a branch or a tag is required');
});

test('two independent clones, over file:// and over git daemon, make byte-identical tarballs', async () => {
  const a = tempDir();
  const b = tempDir();
  const srcA = source(fileUrl(), repo.commits.second, { branch: 'main' });
  const srcB = source(`${daemon.url}/widget`, repo.commits.second, { branch: 'main' });
  assert.is(await fetchGitSource(srcA, settings(a)), undefined);
  assert.is(await fetchGitSource(srcB, settings(b)), undefined);
  const bytesA = readFileSync(join(a, srcA.name));
  const bytesB = readFileSync(join(b, srcB.name));
  assert.ok(bytesA.equals(bytesB), 'same commit, same bytes');
  // gzip header: no name flag, no time (RFC 1952: FLG at byte 3, MTIME at 4..7).
  assert.is(bytesA[3] & 0x08, 0);
  assert.is(bytesA.readUInt32LE(4), 0);
  const listing = execFileSync('tar', ['-tvzf', join(a, srcA.name)]).toString();
  assert.match(listing, 'root/root');
  assert.match(listing, '2024-01-01 00:00 widget/greeting.txt', 'mtime is the commit time');
  assert.not.match(listing, /\d+\/\d+ /, 'no numeric owners of the maker');
  // The note beside it records the sum of exactly these bytes.
  const note = readFileSync(join(a, `${srcA.name}.sha256`), 'utf8').split(' ');
  assert.is(
    note[0],
    execFileSync('sha256sum', [join(a, srcA.name)])
      .toString()
      .split(' ')[0],
  );
  assert.is(Number(note[1]), bytesA.length);
});

test('offline, a mirror holding only the tarball is enough; a tampered tarball is refused', async () => {
  const online = gitProject({ git: fileUrl(), rev: repo.commits.second, branch: 'main' });
  const f = await strata(['fetch', 'widget', '--project', online]);
  assert.is(f.code, 0, f.stderr);
  const [name] = tarballs(online);
  const mirror = tempDir();
  copyFileSync(join(online, 'downloads', name), join(mirror, name));

  // Upstream is gone, and the project is offline: only the mirror can serve it.
  const moved = `${repo.dir}-away`;
  renameSync(repo.dir, moved);
  try {
    const dir = gitProject({ git: fileUrl(), rev: repo.commits.second, branch: 'main' }, { offline: true, mirrors: [mirror] });
    const r = await strata(['build', 'widget', '--project', dir]);
    assert.is(r.code, 0, r.stderr + r.stdout);
    assert.is(readFileSync(built(dir), 'utf8'), 'hello from git\n');
    assert.not.ok(existsSync(join(dir, 'downloads/git')), 'no clone was made or fetched');

    // Change one byte of one file: the tarball no longer makes the commit's tree.
    const tar = gunzipSync(readFileSync(join(mirror, name)));
    const at = tar.indexOf('hello from git');
    tar.write('J', at, 'latin1');
    const bad = tempDir();
    writeFileSync(join(bad, name), gzipSync(tar));
    const dir2 = gitProject({ git: fileUrl(), rev: repo.commits.second, branch: 'main' }, { offline: true, mirrors: [bad] });
    const r2 = await strata(['fetch', 'widget', '--project', dir2]);
    assert.is(r2.code, 2, r2.stdout + r2.stderr);
    assert.match(r2.stderr, 'fetch-missing');
    assert.match(r2.stderr, 'do not make the tree of commit');
    assert.equal(readdirSync(join(dir2, 'downloads')), [], 'nothing is left in the download folder');
  } finally {
    renameSync(moved, repo.dir);
  }
});

test('offline with neither clone nor mirror: the git source is listed as missing, without network', async () => {
  const dir = gitProject({ git: `${daemon.url}/widget`, rev: repo.commits.second, branch: 'main' }, { offline: true });
  const r = await strata(['fetch', 'widget', '--project', dir]);
  assert.is(r.code, 2);
  assert.match(r.stderr, 'fetch-missing');
  assert.match(r.stderr, 'offline');
  assert.match(r.stderr, 'no clone');
});

test('allowed-hosts: a git host outside the list is never contacted; the source is missing, saying why', async () => {
  const dir = gitProject({ git: `${daemon.url}/widget`, rev: repo.commits.second, branch: 'main' });
  writeTree(dir, { 'strata.yaml': readFileSync(join(dir, 'strata.yaml'), 'utf8') + 'allowed-hosts: [git.example.org]\n' });
  const r = await strata(['fetch', 'widget', '--project', dir]);
  assert.is(r.code, 2, r.stdout + r.stderr);
  assert.match(r.stderr, `${daemon.url}/widget: refused, host 127.0.0.1 is not in allowed-hosts`);
  assert.equal(tarballs(dir), [], 'no tarball was made');
});

test('credentials in a git URL never reach a message', async () => {
  const url = 'http://builder:s3cret@127.0.0.1:9/widget.git';
  const d = await fetchGitSource(source(url, repo.commits.second, { branch: 'main' }), settings(tempDir()));
  assert.ok(d);
  const text = JSON.stringify(d);
  assert.not.match(text, 's3cret');
  assert.match(text, '***@127.0.0.1');
});

test.run();
