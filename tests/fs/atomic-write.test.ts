import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { commitTemp, tempPathFor, writeAtomically, writeFileAtomically } from '../../core/fs/atomic-write.js';
import { scratchDirs } from '../helpers/strata.js';

// The one atomic-write helper (core/fs/atomic-write.ts): a failure at any
// point before the rename leaves nothing under the final name (or the old
// file, untouched) and no temporary file beside it.

const tempDir = scratchDirs(test);

/** The error a promise rejects with (uvu has no assert.rejects). */
async function rejection(p: Promise<unknown>): Promise<NodeJS.ErrnoException> {
  try {
    await p;
  } catch (e) {
    return e as NodeJS.ErrnoException;
  }
  throw new Error('expected a rejection');
}

const failures: [string, (tmp: string) => Promise<void>][] = [
  ['before writing anything', async () => Promise.reject(new Error('boom'))],
  [
    'half-way through the write',
    async (tmp) => {
      await writeFile(tmp, 'half of it');
      throw new Error('boom');
    },
  ],
  [
    'in a folder, half-filled',
    async (tmp) => {
      mkdirSync(join(tmp, 'sub'), { recursive: true });
      writeFileSync(join(tmp, 'sub', 'f'), 'x');
      throw new Error('boom');
    },
  ],
];

for (const [when, fill] of failures) {
  test(`a failure ${when}: no file under the final name, no temporary left`, async () => {
    const dir = tempDir();
    const out = join(dir, 'out.img');
    assert.match((await rejection(writeAtomically(out, fill))).message, 'boom');
    assert.equal(readdirSync(dir), []);
  });

  test(`a failure ${when}: an older file under the final name stays as it was`, async () => {
    const dir = tempDir();
    const out = join(dir, 'out.img');
    writeFileSync(out, 'old');
    assert.match((await rejection(writeAtomically(out, fill, { durable: true }))).message, 'boom');
    assert.equal(readdirSync(dir), ['out.img']);
    assert.is(readFileSync(out, 'utf8'), 'old');
  });
}

test('a write that succeeds replaces the file, durable or not, and leaves only it', async () => {
  const dir = tempDir();
  const out = join(dir, 'a.json');
  await writeFileAtomically(out, 'one');
  await writeFileAtomically(out, 'two', { durable: true, mode: 0o600 });
  assert.is(readFileSync(out, 'utf8'), 'two');
  assert.equal(readdirSync(dir), ['a.json']);
});

test('a folder replaces the folder there (readers see old or new), nothing left beside it', async () => {
  const dir = tempDir();
  const out = join(dir, 'layout');
  mkdirSync(join(out, 'old-only'), { recursive: true });
  await writeAtomically(out, async (tmp) => {
    mkdirSync(tmp);
    writeFileSync(join(tmp, 'new'), 'n');
  });
  assert.equal(readdirSync(out), ['new']);
  assert.equal(readdirSync(dir), ['layout']);
});

test('a fill that writes nothing leaves the final name alone', async () => {
  const dir = tempDir();
  const out = join(dir, 'maybe');
  assert.is(await writeAtomically(out, async () => false), false);
  assert.equal(readdirSync(dir), []);
});

test('exclusive: what another process put there first is kept, and the commit fails', async () => {
  const dir = tempDir();
  const out = join(dir, 'clone.git');
  mkdirSync(join(out, 'objects'), { recursive: true });
  const e = await rejection(writeAtomically(out, async (tmp) => void mkdirSync(join(tmp, 'refs'), { recursive: true }), { exclusive: true }));
  assert.ok(['ENOTEMPTY', 'EEXIST'].includes(e.code ?? ''), e.message);
  assert.equal(readdirSync(out), ['objects']);
  const file = join(dir, 'note');
  writeFileSync(file, 'theirs');
  assert.is((await rejection(writeFileAtomically(file, 'ours', { exclusive: true }))).code, 'EEXIST');
  assert.is(readFileSync(file, 'utf8'), 'theirs');
  assert.equal(readdirSync(dir).sort(), ['clone.git', 'note']);
});

test('commitTemp: a temporary made elsewhere by its owner (a resumable download) gets the final name', async () => {
  const dir = tempDir();
  const partial = tempPathFor(join(dir, 'src.tar.gz'));
  assert.ok(partial.startsWith(join(dir, '.src.tar.gz.part-')), 'beside the final name, hidden');
  writeFileSync(partial, 'bytes');
  await commitTemp(partial, join(dir, 'src.tar.gz'), { durable: true });
  assert.not.ok(existsSync(partial));
  assert.is(readFileSync(join(dir, 'src.tar.gz'), 'utf8'), 'bytes');
});

test.run();
