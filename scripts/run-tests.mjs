#!/usr/bin/env node
// Runs every compiled uvu test file (dist/<dir>/**/*.test.js), each in its
// own Node process so one crash cannot hide the others, and ends with the
// one line CI reads: "N passed, M failed, K skipped". Exits non-zero on any
// failure. Usage: node scripts/run-tests.mjs [tests-dir…] [--filter text] [--jobs N]
//
// Files run `--jobs` at a time (STRATA_TEST_JOBS, else 2). The suite's
// long pole is one e2e build that compiles Linux and U-Boot; its unpack,
// configure, link and boot phases leave a core idle, which the rest of the
// suite fills. Files that share the suite's task cache (their source names
// TEST_CACHE, the one way tests may name it; tests/helpers/test-cache.test.ts)
// run one after another, in name order, in one lane: the first compiles,
// the others restore, instead of two of them compiling the same kernel at
// once. Each file's output is printed whole when it ends.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const args = process.argv.slice(2);
const option = (name) => {
  const at = args.indexOf(name);
  return at >= 0 ? args.splice(at, 2)[1] : undefined;
};
const filter = option('--filter');
const jobsText = option('--jobs') ?? (process.env.STRATA_TEST_JOBS || '2');
const jobs = Number(jobsText);
if (!Number.isInteger(jobs) || jobs < 1) {
  process.stderr.write(`run-tests: --jobs (or STRATA_TEST_JOBS) needs a positive whole number, not '${jobsText}'\n`);
  process.exit(2);
}
const dirs = args.length ? args : ['tests'];
// Suites too slow for the default run (kernels and bootloaders for every
// board; a release rebuilt three times from scratch, by design):
// run only when named, e.g. `node scripts/run-tests.mjs tests/boards`.
const OPT_IN = new Set(['tests/boards', 'tests/e2e-release'].map((d) => join('dist', d)));

function find(dir) {
  let out = [];
  let names = [];
  // One test file, named by its source (tests/x/y.test.ts) or its compiled form.
  if (dir.endsWith('.test.js')) return existsSync(dir) ? [dir] : [];
  try {
    names = readdirSync(dir).sort();
  } catch {
    return out;
  }
  for (const n of names) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) {
      if (!OPT_IN.has(p)) out = out.concat(find(p));
    } else if (n.endsWith('.test.js')) out.push(p);
  }
  return out;
}

// A folder named here is searched even when it is opt-in (only subfolders are skipped).
// A compiled test whose source was removed or renamed is left in dist/ by
// tsc; it is not a test of this tree any more.
const sourceOf = (f) => relative('dist', f).replace(/\.js$/, '.ts');
const files = dirs
  .flatMap((d) => find(join('dist', d.replace(/\.test\.ts$/, '.test.js'))))
  .filter((f) => existsSync(sourceOf(f)) && (!filter || f.includes(filter)));
const sharesCache = (f) => readFileSync(sourceOf(f), 'utf8').includes('TEST_CACHE');

// Units of work: the cache lane first (it holds the longest file), then every other file alone.
const cacheLane = files.filter(sharesCache);
const units = [...(cacheLane.length ? [cacheLane] : []), ...files.filter((f) => !sharesCache(f)).map((f) => [f])];

let passed = 0;
let failed = 0;
let skipped = 0;
const broken = [];

function runFile(file) {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [file], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' } });
    const out = [];
    const err = [];
    child.stdout.on('data', (b) => out.push(b));
    child.stderr.on('data', (b) => err.push(b));
    child.on('error', (e) => err.push(Buffer.from(`${e.message}\n`)));
    child.on('close', (status, signal) =>
      resolve({ file, status, signal, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString(), started }),
    );
  });
}

function report({ file, status, signal, stdout, stderr, started }) {
  process.stdout.write(`\n# ${relative('dist', file)}\n${stdout}`);
  process.stderr.write(stderr);
  const num = (label) => Number((new RegExp(`${label}:\\s+(\\d+)`).exec(stdout) ?? [])[1] ?? NaN);
  const total = num('Total');
  const ok = num('Passed');
  const skip = num('Skipped') || 0;
  if (Number.isNaN(total) || Number.isNaN(ok)) {
    failed += 1;
    broken.push(`${file}: no uvu summary (exit ${status}${signal ? `, ${signal}` : ''})`);
    return;
  }
  passed += ok;
  skipped += skip;
  const bad = Math.max(0, total - ok - skip);
  failed += bad;
  if (bad || status !== 0) {
    if (!bad) failed += 1;
    broken.push(`${file}: ${bad || 1} failed`);
  }
  process.stdout.write(`# ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}

async function worker() {
  for (let unit = units.shift(); unit; unit = units.shift()) {
    for (const file of unit) report(await runFile(file));
  }
}

await Promise.all(Array.from({ length: Math.min(jobs, units.length) }, worker));
if (files.length === 0) {
  broken.push(`no test files under ${dirs.map((d) => join('dist', d)).join(', ')}`);
  failed += 1;
}
if (broken.length) process.stdout.write(`\nFailures:\n${broken.map((b) => `  ${b}`).join('\n')}\n`);
process.stdout.write(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
process.exit(failed ? 1 : 0);
