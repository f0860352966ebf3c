import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { loadProject } from '../../core/config/project.js';
import type { FetchEvent } from '../../core/fetch/orchestrator.js';
import { fetchReporter } from '../../core/report/fetch-progress.js';
import { diagOf } from '../helpers/diagnostics.js';
import { remoteSource } from '../helpers/source-fetcher.js';
import { scratchDirs, writeTree } from '../helpers/strata.js';

// The fetch keys of strata.yaml, and what the fetch reporter prints.

const tempDir = scratchDirs(test);

test('strata.yaml sets allowed-hosts, parallelism, retries and timeouts; defaults otherwise', () => {
  const dir = tempDir();
  writeTree(dir, {
    'strata.yaml': [
      'layers: []',
      'allowed-hosts: ["*.example.org"]',
      'fetch-parallel: 8',
      'fetch-retries: 0',
      'fetch-connect-timeout: 2.5',
      'fetch-idle-timeout: 60',
      '',
    ].join('\n'),
  });
  const p = loadProject(dir);
  assert.equal(p.allowedHosts?.patterns, ['*.example.org']);
  assert.equal(p.allowedHosts?.loc, { file: join(dir, 'strata.yaml'), line: 2, column: 1 });
  assert.equal(p.fetch, { parallel: 8, retries: 0, connectTimeoutMs: 2500, idleTimeoutMs: 60000 });
  const plain = loadProject(tempDir());
  assert.is(plain.allowedHosts, undefined, 'not set: any host');
  assert.equal(plain.fetch, { parallel: 4, retries: 3, connectTimeoutMs: 15000, idleTimeoutMs: 30000 });
});

test('a fetch setting out of range is an error at its line', () => {
  const dir = tempDir();
  writeTree(dir, { 'strata.yaml': 'layers: []\nfetch-parallel: 0\n' });
  const d = diagOf(() => loadProject(dir));
  assert.is(d.code, 'schema-range');
  assert.is(d.location?.line, 2);
});

test('the reporter, off a terminal: a line per quarter of a large file, and its size when done', () => {
  let text = '';
  const out = new Writable({ write: (c, _e, cb) => ((text += c), cb()) });
  const report = fetchReporter(out);
  const source = remoteSource('http://h/big.tar.xz', 'x');
  const total = 64 << 20;
  const ev = (e: Partial<FetchEvent>) => report({ source, state: 'progress', ...e } as FetchEvent);
  ev({ state: 'fetching', from: 'http://h/big.tar.xz' });
  for (const part of [0, 1 / 8, 5 / 16, 3 / 8, 5 / 8, 1]) ev({ bytes: Math.round(total * part), total });
  ev({ state: 'done', bytes: total });
  assert.equal(text.trim().split('\n'), [
    'fetch   big.tar.xz from http://h/big.tar.xz',
    '        big.tar.xz: 20.0 MiB of 64.0 MiB (31%)',
    '        big.tar.xz: 40.0 MiB of 64.0 MiB (62%)',
    `fetched big.tar.xz (64.0 MiB, sha256 ${source.sha256.slice(0, 12)}… verified)`,
  ]);
});

test.run();
