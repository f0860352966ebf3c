import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chmodSync, existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { releaseProject } from '../helpers/release-project.js';
import { scratchDirs, strata, writeTree } from '../helpers/strata.js';

// `strata reproduce` builds the tiny fixture image twice under different
// conditions (build paths, time zones, locales, umasks 022 and 077, -j,
// host names, and as root the tasks' host uid) and compares every task
// output. `datestamp` writes the time, the host name and the umask it
// sees: the first two must be caught and named; the umask must not differ,
// since every build sets umask 022 before writing anything.

const tempDir = scratchDirs(test);

test('a reproducible image under umask 077 against 022: every output identical, exit 0, build folders removed', async () => {
  const dir = releaseProject(tempDir);
  const work = join(tempDir(), 'work');
  const r = await strata(['reproduce', 'tiny', '--work', work], { cwd: dir });
  assert.is(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /tiny is reproducible: \d+ task outputs identical in both builds/);
  assert.match(r.stdout, 'TZ=Pacific/Kiritimati, LC_ALL=C.UTF-8, umask 077, -j 4, host name reproduce-second.example');
  if (process.getuid?.() === 0) assert.match(r.stdout, /host name localhost, task uid (\d+) \(default\)\n.*task uid (?!\1)\d+\n/);
  assert.not.ok(existsSync(work), 'build folders removed after a success');
  const report = readFileSync(join(dir, 'build/reproduce/tiny/report.txt'), 'utf8');
  assert.match(report, '0 differ');
  assert.match(report, 'Varied and seen by the tasks: build path, host name');
});

test('a recipe that writes the date and host name: the report names the recipe, its task and both files, not the umask', async () => {
  const dir = releaseProject(tempDir);
  const work = join(tempDir(), 'work');
  const r = await strata(['reproduce', 'tiny-nondet', '--work', work], { cwd: dir, env: { PATH: '/usr/bin:/bin' } });
  assert.is(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stderr, 'tiny-nondet is NOT reproducible');
  assert.match(r.stderr, 'First difference: datestamp:install, in image/etc/build-date, image/etc/build-host\n');
  const report = readFileSync(join(dir, 'build/reproduce/tiny-nondet/report.txt'), 'utf8');
  assert.match(report, 'First difference: datestamp:install\n');
  assert.match(report, 'datestamp:install: output differs (nothing it waits for differs: this task made the difference)');
  assert.match(
    report,
    /image: 2 members differ\n {4}etc\/build-date\n {6}first: {2}file 0644 [0-9a-f]{64} \d+\n {6}second: file 0644 [0-9a-f]{64} \d+\n {4}etc\/build-host\n/,
  );
  assert.not.match(report, 'etc/build-umask', 'the umask of the caller does not reach a task');
  // Downstream differences are reported as following from it; the image shows the members.
  assert.match(report, 'tiny-nondet:image: output differs (follows from a difference before it)');
  assert.match(report, /tiny-nondet-tiny\.cpio\.gz: 2 members differ\n {4}etc\/build-date/);
  assert.not.match(report, 'hello:install: output differs', 'reproducible recipes are not blamed');
  assert.match(report, 'diffoscope is not installed');
  const json = JSON.parse(readFileSync(join(dir, 'build/reproduce/tiny-nondet/report.json'), 'utf8'));
  assert.equal(
    json.differences.filter((d: { first: boolean }) => d.first).map((d: { task: string }) => d.task),
    ['datestamp:install'],
  );
  const host = (side: string) => readFileSync(join(work, side, 'build/work/tiny/datestamp-1/image/etc/build-host'), 'utf8');
  assert.is(host('a'), 'localhost\n');
  assert.is(host('second/with-a-longer/build-path'), 'reproduce-second.example\n');
  const umask = (side: string) => readFileSync(join(work, side, 'build/work/tiny/datestamp-1/image/etc/build-umask'), 'utf8');
  assert.is(umask('a'), '0022\n');
  assert.is(umask('second/with-a-longer/build-path'), '0022\n', 'strata was started under umask 077; its tasks still see 022');
  if (process.getuid?.() === 0) {
    // As root, the second build's tasks ran as another host uid: its work folders are that uid's.
    const owner = (side: string) => statSync(join(work, side, 'build/work/tiny/datestamp-1')).uid;
    assert.is(owner('second/with-a-longer/build-path'), owner('a') + 1000);
  }
});

test('with diffoscope on PATH, each first difference gets its report, named in report.txt', async () => {
  const dir = releaseProject(tempDir);
  const bin = tempDir();
  // A stand-in at the process seam: records its arguments where --text asks.
  writeTree(bin, { diffoscope: '#!/bin/sh\n[ "$1" = --text ] && printf "diffoscope %s\\n" "$*" > "$2"\nexit 1\n' });
  chmodSync(join(bin, 'diffoscope'), 0o755);
  const r = await strata(['reproduce', 'tiny-nondet', '--work', join(tempDir(), 'work')], { cwd: dir, env: { PATH: `${bin}:${process.env.PATH}` } });
  assert.is(r.code, 1, r.stdout + r.stderr);
  const report = readFileSync(join(dir, 'build/reproduce/tiny-nondet/report.txt'), 'utf8');
  const file = join(dir, 'build/reproduce/tiny-nondet/diffoscope-datestamp_install-image.txt');
  assert.match(report, `diffoscope report for datestamp:install image: ${file}`);
  assert.match(
    readFileSync(file, 'utf8'),
    /--no-progress \S+\/a\/build\/work\/tiny\/datestamp-1\/image \S+\/build-path\/build\/work\/tiny\/datestamp-1\/image/,
  );
});

test('a bad --umask is a usage error', async () => {
  const r = await strata(['reproduce', 'tiny', '--umask', 'rwx'], { cwd: releaseProject(tempDir) });
  assert.is(r.code, 2);
  assert.match(r.stderr, '--umask needs an octal mask');
});

test.run();
