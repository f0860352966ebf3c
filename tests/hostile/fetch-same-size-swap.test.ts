import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, renameSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DownloadDir } from '../../core/fetch/store/download-dir.js';
import { serve } from '../helpers/http-server.js';
import { fetchProject } from '../helpers/fetch-project.js';
import { remoteSource, sha256, testFetcher } from '../helpers/source-fetcher.js';
import { scratchDirs, strata } from '../helpers/strata.js';

// Hostile: a verified download is replaced by other bytes of the same size.
// Its `.sha256` note still names the right sum and size; a note that only
// compared the size trusted the new bytes and built from them. The note now
// records the file's identity (inode, size, mtime and ctime in ns), and any
// difference means the file is hashed again.

const tempDir = scratchDirs(test);
const good = Buffer.from('the verified upstream tarball bytes\n');
const evil = Buffer.from('an attacker tarball of equal length\n');

/** A verified download in a fresh folder; returns the folder and the file's path. */
async function verifiedDownload(): Promise<{ dir: string; path: string; src: ReturnType<typeof remoteSource> }> {
  assert.is(evil.length, good.length, 'the swap keeps the size');
  const server = await serve({ '/pkg.tar.gz': good });
  try {
    const dir = tempDir();
    const src = remoteSource(`${server.url}/pkg.tar.gz`, good);
    assert.is(await testFetcher(dir).fetchOne(src), undefined);
    return { dir, path: join(dir, 'pkg.tar.gz'), src };
  } finally {
    await server.close();
  }
}

const swaps: [string, (path: string) => void][] = [
  [
    'written in place, its mtime put back',
    (path) => {
      const { atime, mtime } = statSync(path);
      writeFileSync(path, evil);
      utimesSync(path, atime, mtime);
    },
  ],
  [
    'renamed over it (another inode), with the same mtime',
    (path) => {
      const { atime, mtime } = statSync(path);
      writeFileSync(`${path}.new`, evil);
      utimesSync(`${path}.new`, atime, mtime);
      renameSync(`${path}.new`, path);
    },
  ],
];

for (const [how, swap] of swaps) {
  test(`a same-size file ${how} is hashed again and refused`, async () => {
    const { dir, path, src } = await verifiedDownload();
    swap(path);
    assert.equal(readFileSync(path), evil);
    const present = await new DownloadDir(dir).check(src.name, src.sha256);
    assert.equal(present, { actual: sha256(evil) });
    const d = await testFetcher(dir, { offline: true }).fetchOne(src);
    assert.is(d?.code, 'fetch-checksum');
    assert.match(d?.hint ?? '', sha256(evil));
  });
}

test('an untouched verified file is still trusted by its note, and an old two-field note is re-checked once', async () => {
  const { dir, path, src } = await verifiedDownload();
  const downloads = new DownloadDir(dir);
  assert.is(await downloads.check(src.name, src.sha256), 'ok');
  writeFileSync(`${path}.sha256`, `${src.sha256} ${good.length}\n`);
  assert.is(await downloads.check(src.name, src.sha256), 'ok', 'the right bytes pass after hashing');
  assert.not.equal(readFileSync(`${path}.sha256`, 'utf8').trim().split(' ').length, 2, 'and the note now records the identity');
});

test('strata fetch --offline refuses the swapped file instead of trusting it', async () => {
  const server = await serve({ '/pkg.tar.gz': good });
  let project: string;
  try {
    project = fetchProject(tempDir(), { pkg: [{ url: `${server.url}/pkg.tar.gz`, sha256: sha256(good) }] });
    const f = await strata(['fetch', 'pkg', '--project', project]);
    assert.is(f.code, 0, f.stderr);
  } finally {
    await server.close();
  }
  const path = join(project, 'downloads/pkg.tar.gz');
  swaps[0][1](path);
  const r = await strata(['fetch', 'pkg', '--project', project, '--offline']);
  assert.is(r.code, 2, r.stdout + r.stderr);
  assert.match(r.stderr, 'fetch-checksum');
  assert.match(r.stderr, `actual ${sha256(evil)}`);
});

test.run();
