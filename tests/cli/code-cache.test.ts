import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ROOT, scratchDirs } from '../helpers/strata.js';

// The command line's bundle runs through V8's code cache (core/cli/code-cache.ts).
// Each case runs a small CommonJS "bundle" as strata's launcher runs the real one,
// in a child Node, and checks what the bundle saw and what the cache folder holds.

const tempDir = scratchDirs(test);
const codeCache = join(ROOT, 'dist/core/cli/code-cache.js');

function project(body: string): string {
  const dir = tempDir('strata-code-cache-');
  writeFileSync(join(dir, 'helper.cjs'), 'exports.answer = 42;\n');
  writeFileSync(join(dir, 'bundle.cjs'), body);
  writeFileSync(
    join(dir, 'launch.mjs'),
    `import { runWithCodeCache } from ${JSON.stringify(codeCache)};\nrunWithCodeCache(${JSON.stringify(join(dir, 'bundle.cjs'))}, process.argv[2]);\n`,
  );
  return dir;
}

const REPORT = [
  '#!/usr/bin/env node',
  "'use strict';",
  "const { answer } = require('./helper.cjs');",
  "console.log(JSON.stringify({ version: 'A', argv: process.argv.slice(2), file: __filename, dir: __dirname, answer, strict: (function () { return this === undefined; })() }));",
  'process.exitCode = 3;',
  '',
].join('\n');

const run = (dir: string, ...args: string[]) => spawnSync(process.execPath, [join(dir, 'launch.mjs'), ...args], { encoding: 'utf8' });
const cacheFiles = (dir: string) => readdirSync(join(dir, '.code-cache')).sort();

test('the bundle runs as a main CommonJS script: arguments, __filename, require beside it, strict mode, exit code', () => {
  const dir = project(REPORT);
  const r = run(dir, 'build', 'nop');
  assert.is(r.status, 3, r.stderr);
  assert.equal(JSON.parse(r.stdout), { version: 'A', argv: ['build', 'nop'], file: join(dir, 'bundle.cjs'), dir, answer: 42, strict: true });
});

test('the first four runs of a command save its cache, each with what it ran added; later runs write nothing', () => {
  const dir = project(REPORT);
  for (let n = 1; n <= 4; n++) {
    assert.is(run(dir, 'build').status, 3);
    assert.equal(
      cacheFiles(dir).map((f) => f.replace(/^build\.[0-9a-f]{16}\./, '')),
      [`${n}.v8`],
    );
  }
  const file = join(dir, '.code-cache', cacheFiles(dir)[0]);
  const before = statSync(file);
  const again = run(dir, 'build');
  assert.is(again.status, 3, again.stderr);
  assert.equal(cacheFiles(dir), [basename(file)]);
  const after = statSync(file);
  assert.equal([after.ino, after.mtimeMs], [before.ino, before.mtimeMs], 'the settled cache was rewritten');
  run(dir, 'env');
  assert.is(cacheFiles(dir).length, 2, 'each command has its own cache');
});

test("a run that takes another path adds its functions to the cache: the first run's alone lacks them", () => {
  const many = Array.from({ length: 200 }, (_, i) => `function f${i}(x) { return x * ${i} + ${i}; }`).join('\n');
  const dir = project(
    [REPORT, many, `if (process.argv[3] === 'other-path') { let t = 0; for (let i = 0; i < 200; i++) t += eval('f' + i)(i); }`, ''].join('\n'),
  );
  run(dir, 'build', 'first-path');
  const first = statSync(join(dir, '.code-cache', cacheFiles(dir)[0])).size;
  run(dir, 'build', 'other-path');
  const second = statSync(join(dir, '.code-cache', cacheFiles(dir)[0])).size;
  assert.ok(second > first + 10_000, `${first} -> ${second} bytes`);
});

test('names that are not a command share one cache file, with no path in its name', () => {
  for (const arg of ['../../etc/passwd', '--help', 'BUILD', 'a'.repeat(40)]) {
    const dir = project(REPORT);
    assert.is(run(dir, arg).status, 3);
    assert.equal(
      cacheFiles(dir).map((f) => f.split('.')[0]),
      ['other'],
      arg,
    );
  }
});

test('a bundle edited in place to the same length runs its new code, not the cached old one', () => {
  const dir = project(REPORT);
  for (let n = 0; n < 5; n++) run(dir, 'build');
  const edited = REPORT.replace("version: 'A'", "version: 'B'");
  assert.is(edited.length, REPORT.length);
  writeFileSync(join(dir, 'bundle.cjs'), edited);
  const r = run(dir, 'build');
  assert.is(JSON.parse(r.stdout).version, 'B');
  assert.is(cacheFiles(dir).length, 2, "the new bundle's cache is a file of its own");
});

test("runs under other Node options keep their own cache, rather than replace each other's on every run", () => {
  const dir = project(REPORT);
  const withOptions = (...args: string[]) => spawnSync(process.execPath, ['--max-old-space-size=300', join(dir, 'launch.mjs'), ...args], { encoding: 'utf8' });
  for (let n = 0; n < 5; n++) {
    assert.is(run(dir, 'build').status, 3);
    assert.is(withOptions('build').status, 3);
  }
  const files = cacheFiles(dir);
  assert.is(files.length, 2, files.join(' '));
  const before = files.map((f) => statSync(join(dir, '.code-cache', f)).mtimeMs);
  run(dir, 'build');
  withOptions('build');
  assert.equal(
    files.map((f) => statSync(join(dir, '.code-cache', f)).mtimeMs),
    before,
    'a settled cache was written again',
  );
});

test('a corrupt cache file is refused by V8, the run compiles, and the file is written again', () => {
  const dir = project(REPORT);
  run(dir, 'build');
  const file = join(dir, '.code-cache', cacheFiles(dir)[0]);
  writeFileSync(file, 'not V8 code');
  const r = run(dir, 'build');
  assert.is(r.status, 3, r.stderr);
  assert.is(JSON.parse(r.stdout).answer, 42);
  assert.not.equal(readFileSync(file, 'utf8'), 'not V8 code');
});

test('a cache folder that cannot be made only costs the compile', () => {
  const dir = project(REPORT);
  writeFileSync(join(dir, '.code-cache'), 'a file where the folder goes');
  const r = run(dir, 'build');
  assert.is(r.status, 3, r.stderr);
  assert.is(r.stderr, '');
  assert.is(JSON.parse(r.stdout).answer, 42);
});

test("an error in the bundle names the bundle's file and line, as without the cache", () => {
  const dir = project(["'use strict';", '', "throw new Error('boom');", ''].join('\n'));
  for (let i = 0; i < 2; i++) {
    const r = run(dir, 'build');
    assert.is(r.status, 1);
    assert.match(r.stderr, `${join(dir, 'bundle.cjs')}:3`);
    assert.match(r.stderr, 'Error: boom');
  }
});

test.run();
