import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { listWhileExtracting } from '../../core/archive/extract-while-listing.js';
import { tarArchive } from '../../core/archive/tar-writer.js';
import { sandboxUid } from '../../core/exec/sandbox.js';
import { stagingTar } from '../../core/build/unpack-staging.js';
import { scratchDirs } from '../helpers/strata.js';
import { member } from '../helpers/archive-members.js';

// The unpack task extracts an archive into its staging folder while it is
// still being checked (core/build/unpack-staging.ts), so the extracting tar
// meets hostile members before the check refuses them. GNU tar has guards
// of its own (it strips leading '/' and '../', and makes a placeholder for
// a symlink that points up or out until the end); here they are switched
// off (-P, --absolute-names), so what keeps the members in is the sandbox
// alone: nothing of the host is writable but the staging folder.

const tempDir = scratchDirs(test);
const m = member;

test('a staging tar without its own guards writes nowhere but the staging folder', async () => {
  const root = tempDir();
  const work = join(root, 'work');
  const staged = join(work, '.strata-unpack/0');
  // Writable for anyone: only the sandbox can keep the members out of it.
  const canary = join(root, 'canary');
  mkdirSync(staged, { recursive: true });
  mkdirSync(canary);
  chmodSync(canary, 0o777);
  writeFileSync(join(work, 'victim'), 'intact\n');
  chmodSync(join(work, 'victim'), 0o666);
  const asRoot = process.getuid?.() === 0;
  if (asRoot) for (const p of [work, join(work, '.strata-unpack'), staged]) execChown(p);
  const hostile = tarArchive([
    m('inside', 'file', { data: 'fine\n' }),
    m(`${canary}/absolute`, 'file', { data: 'x' }),
    m('../../dotdot', 'file', { data: 'x' }),
    m('../../victim', 'file', { data: 'overwritten\n' }),
    m('out', 'symlink', { linkname: canary }),
    m('out/through', 'file', { data: 'x' }),
    m('up', 'symlink', { linkname: '../..' }),
    m('up/victim', 'file', { data: 'overwritten\n' }),
    m('hard', 'hardlink', { linkname: join(work, 'victim') }),
  ]);
  async function* stream() {
    yield hostile;
  }
  const { listing } = await listWhileExtracting(stream(), stagingTar({ writable: [work], readOnly: [work], uid: sandboxUid() }, staged, staged, ['-P']));
  assert.ok('entries' in listing && listing.entries.length === 9, 'the whole stream was listed');
  assert.equal(readdirSync(canary), [], 'nothing in the canary folder');
  assert.equal(readdirSync(work).sort(), ['.strata-unpack', 'victim']);
  assert.equal(readdirSync(root).sort(), ['canary', 'work']);
  assert.is(readFileSync(join(work, 'victim'), 'utf8'), 'intact\n');
  assert.ok(readdirSync(staged).includes('inside'), 'the staging folder itself was written');
});

function execChown(p: string): void {
  execFileSync('chown', [`${sandboxUid()}:${sandboxUid()}`, p]);
}

test.run();
