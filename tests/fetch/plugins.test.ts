import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Fetcher, Place, TransferContext, TransferResult, AnySource } from '../../core/fetch/fetcher.js';
import { GitFetcher } from '../../core/fetch/git/git-fetcher.js';
import { gitSource, type GitSource } from '../../core/fetch/git/git-source.js';
import { SourceFetcher, type FetchEvent } from '../../core/fetch/orchestrator.js';
import { FetcherRegistry } from '../../core/fetch/registry.js';
import type { RemoteSource } from '../../core/fetch/source.js';
import { DownloadError } from '../../core/fetch/transport/download-error.js';
import { FileFetcher } from '../../core/fetch/transport/file.js';
import type { BodySink } from '../../core/fetch/transport/http.js';
import { HttpFetcher } from '../../core/fetch/transport/http.js';
import { plugins } from '../../core/session/plugins.js';
import { widgetRepo } from '../helpers/git-repo.js';
import { fetchProject } from '../helpers/fetch-project.js';
import { sendCutOff, sendRange, serve } from '../helpers/http-server.js';
import { sha256 } from '../helpers/source-fetcher.js';
import { scratchDirs, strata } from '../helpers/strata.js';

// Fetchers are plugins: a new one is a class and a line in the composition
// root, and the orchestrator gives it the order, offline, locks, the sum
// and the rename. The schemes a recipe may use are the plugins' schemes.

const tempDir = scratchDirs(test);

/** A plugin for `mem://<key>` URLs, serving bytes from a map: what a new fetcher looks like. */
class MemFetcher implements Fetcher {
  readonly schemes = ['mem'];
  transfers = 0;
  constructor(private readonly store: Map<string, Buffer>) {}
  upstream(src: AnySource): Place[] {
    return [{ url: src.url }];
  }
  async transfer(place: Place, sink: BodySink, ctx: TransferContext): Promise<TransferResult> {
    this.transfers++;
    const body = this.store.get(place.url.slice('mem://'.length));
    if (!body) throw new DownloadError({ reason: 'unavailable', url: place.url, detail: `${place.url}: no such key` });
    if (sink.bytes) await sink.restart();
    await sink.write(body);
    ctx.onProgress(sink.bytes, body.length);
    return undefined;
  }
}

const mem = (key: string, body: Buffer | string, name = key): RemoteSource => ({
  kind: 'remote',
  recipe: 'r',
  url: `mem://${key}`,
  sha256: sha256(body),
  name,
  unpack: false,
});

test('the schemes a recipe may use are those of the registered plugins', () => {
  assert.equal(new FetcherRegistry(plugins().fetchers).schemes, ['debian', 'file', 'http', 'https']);
  assert.ok(
    new FetcherRegistry(plugins().fetchers).forSource({ kind: 'git', url: 'https://h/x.git' }) instanceof GitFetcher,
    'git: sources go to the git plugin',
  );
  assert.equal(new FetcherRegistry([...plugins().fetchers, new MemFetcher(new Map())]).schemes, ['debian', 'file', 'http', 'https', 'mem']);
});

test('a new plugin gets the orchestrator: verified, renamed, noted, skipped once present, nothing kept on a mismatch', async () => {
  const store = new Map([['a', Buffer.from('alpha\n')]]);
  const plugin = new MemFetcher(store);
  const dir = tempDir();
  const f = new SourceFetcher([plugin], { downloads: dir, premirrors: [], mirrors: [], offline: false });
  const events: FetchEvent[] = [];
  assert.is(await f.fetchOne(mem('a', 'alpha\n'), (e) => events.push(e)), undefined);
  assert.is(readFileSync(join(dir, 'a'), 'utf8'), 'alpha\n');
  assert.match(readFileSync(join(dir, 'a.sha256'), 'utf8'), sha256('alpha\n'));
  assert.equal(
    events.map((e) => e.state),
    ['fetching', 'progress', 'done'],
  );
  assert.is(await f.fetchOne(mem('a', 'alpha\n')), undefined);
  assert.is(plugin.transfers, 1, 'present: not transferred again');

  const wrong = await f.fetchOne(mem('a', 'other\n', 'b'));
  assert.is(wrong?.code, 'fetch-checksum');
  assert.equal(readdirSync(dir).sort(), ['a', 'a.sha256'], 'no partial, no lock, nothing under the name');

  const offline = new SourceFetcher([plugin], { downloads: tempDir(), premirrors: [], mirrors: [], offline: true });
  const d = await offline.fetchOne(mem('a', 'alpha\n'));
  assert.is(d?.code, 'fetch-missing', 'offline, the plugin is not asked');
  assert.is(plugin.transfers, 2);
});

test('a recipe URL no plugin serves is source-scheme at its line, for every such source at once', async () => {
  const dir = fetchProject(tempDir(), {
    one: [
      { url: 'ftp://127.0.0.1/a.tar.gz', sha256: sha256('a') },
      { url: 'gopher://127.0.0.1/b.tar.gz', sha256: sha256('b') },
    ],
  });
  const r = await strata(['fetch', 'one', '--project', dir]);
  assert.is(r.code, 2, r.stderr);
  assert.is(r.stderr.match(/error\[source-scheme\]/g)?.length, 2, r.stderr);
  assert.match(r.stderr, 'recipes/one.yaml:5:');
  assert.match(r.stderr, 'recipes/one.yaml:7:');
  assert.match(r.stderr, 'ftp://127.0.0.1');
  assert.match(r.stderr, 'gopher://127.0.0.1');
  assert.match(r.stderr, 'debian://, file://, http://, https://');
});

test('a git tarball from an http mirror gets retries and resume like any download, and is checked against its commit', async () => {
  const repo = widgetRepo(tempDir());
  const spec = (url: string) => ({
    url,
    unpack: true,
    loc: { file: 'w.yaml', line: 5, column: 5 },
    git: {
      rev: { value: repo.commits.second, loc: { file: 'w.yaml', line: 6, column: 5 } },
      branch: { value: 'main', loc: { file: 'w.yaml', line: 7, column: 5 } },
    },
  });
  const src: GitSource = gitSource(spec(`file://${repo.dir}`), `file://${repo.dir}`, 'widget', (v) => v.value);
  const made = tempDir();
  const all = [new GitFetcher(), new FileFetcher(), new HttpFetcher()];
  assert.is(await new SourceFetcher(all, { downloads: made, premirrors: [], mirrors: [], offline: false }).fetchOne(src), undefined);
  const tarball = readFileSync(join(made, src.name));

  let first = true;
  const server = await serve({
    [`/${src.name}`]: (req, res) => {
      if (first) {
        first = false;
        sendCutOff(res, tarball, Math.floor(tarball.length / 2));
      } else sendRange(req, res, tarball);
    },
  });
  try {
    const dir = tempDir();
    const events: FetchEvent[] = [];
    const f = new SourceFetcher(all, { downloads: dir, premirrors: [], mirrors: [server.url], offline: true, retry: { baseDelayMs: 5, maxDelayMs: 20 } });
    assert.is(await f.fetchOne(src, (e) => events.push(e)), undefined);
    assert.ok(readFileSync(join(dir, src.name)).equals(tarball));
    assert.ok(
      events.some((e) => e.state === 'retry'),
      'retried after the cut',
    );
    assert.match(String(server.requests[1]?.headers.range), /^bytes=\d+-$/, 'and resumed with Range');
    assert.is(server.requests.length, 2, 'the resumed tarball made the tree: not fetched whole again');
    assert.not.ok(existsSync(join(dir, 'git')), 'offline: no clone');
  } finally {
    await server.close();
  }
});

test.run();
