import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync, readdirSync, statSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { releaseProject } from '../helpers/release-project.js';
import { findProgram } from '../../core/exec/launch.js';
import { scratchDirs, strata } from '../helpers/strata.js';

// `strata reproduce` builds the tiny fixture image twice under different
// conditions (build paths, time zones, locales, umasks 022 and 077, -j,
// host names, and as root the tasks' host uid) and compares every task
// output. `datestamp` writes the time, the host name and the umask it
// sees: the first two must be caught and named; the umask must not differ,
// since every build sets umask 022 before writing anything.

const tempDir = scratchDirs(test);

/** A PATH folder of links to every program in /usr/bin and /bin except `program`. */
function pathWithout(program: string): string {
  const bin = tempDir();
  for (const dir of ['/usr/bin', '/bin'])
    for (const name of readdirSync(dir)) if (name !== program && !existsSync(join(bin, name))) symlinkSync(join(dir, name), join(bin, name));
  assert.not.ok(findProgram(program, { PATH: bin }));
  return bin;
}

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

test('a recipe that writes the date and host name, no diffoscope: the report names the recipe, its task and both files, not the umask', async () => {
  const dir = releaseProject(tempDir);
  const work = join(tempDir(), 'work');
  // The plain member list when diffoscope is missing: a PATH with every program of /usr/bin and /bin but diffoscope.
  const r = await strata(['reproduce', 'tiny-nondet', '--work', work], { cwd: dir, env: { PATH: pathWithout('diffoscope') } });
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
  assert.match(report, 'diffoscope is not installed (apt-get install diffoscope-minimal): members are compared by type, mode and sha256 only.');
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

test("with Debian's diffoscope installed, the first difference gets its report: the recipe's files and their lines", async () => {
  assert.ok(findProgram('diffoscope'), 'diffoscope is not installed: apt-get install diffoscope-minimal (scripts/host-packages.txt)');
  const dir = releaseProject(tempDir);
  const work = join(tempDir(), 'work');
  const r = await strata(['reproduce', 'tiny-nondet', '--work', work], { cwd: dir });
  assert.is(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stderr, 'First difference: datestamp:install, in image/etc/build-date, image/etc/build-host\n');
  const report = readFileSync(join(dir, 'build/reproduce/tiny-nondet/report.txt'), 'utf8');
  const file = join(dir, 'build/reproduce/tiny-nondet/diffoscope-datestamp_install-image.txt');
  assert.match(report, 'First difference: datestamp:install\n');
  assert.match(report, `diffoscope report for datestamp:install image: ${file}`);
  assert.not.match(report, 'diffoscope is not installed');
  assert.not.match(report, 'diffoscope failed');
  // diffoscope's own report: the two image folders, the differing files, and the lines that differ in them.
  const a = join(work, 'a/build/work/tiny/datestamp-1/image');
  const b = join(work, 'second/with-a-longer/build-path/build/work/tiny/datestamp-1/image');
  const text = readFileSync(file, 'utf8');
  assert.match(text, `--- ${a}\n+++ ${b}\n`);
  assert.match(text, `${a}/etc/build-date`);
  assert.match(text, `${b}/etc/build-host`);
  assert.match(text, /^│ │ -localhost$/m);
  assert.match(text, /^│ │ \+reproduce-second\.example$/m);
  const date = (side: string) => readFileSync(join(side, 'etc/build-date'), 'utf8').trim();
  assert.match(text, `-${date(a)}\n`);
  assert.match(text, `+${date(b)}\n`);
  assert.not.match(text, 'build-umask', 'the umask does not reach a task');
});

test('a bad --umask is a usage error', async () => {
  const r = await strata(['reproduce', 'tiny', '--umask', 'rwx'], { cwd: releaseProject(tempDir) });
  assert.is(r.code, 2);
  assert.match(r.stderr, '--umask needs an octal mask');
});

test.run();
