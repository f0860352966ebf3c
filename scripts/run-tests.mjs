#!/usr/bin/env node
// Runs every compiled uvu test file (dist/<dir>/**/*.test.js), each in its
// own Node process so one crash cannot hide the others, and ends with the
// one line CI reads: "N passed, M failed, K skipped". Exits non-zero on any
// failure. Usage: node scripts/run-tests.mjs [tests-dir…] [--filter text]
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const args = process.argv.slice(2);
const filterAt = args.indexOf('--filter');
const filter = filterAt >= 0 ? args.splice(filterAt, 2)[1] : undefined;
const dirs = args.length ? args : ['tests'];
// Suites too slow for the default run (kernels and bootloaders for every
// board; a release rebuilt three times from scratch, by design):
// run only when named, e.g. `node scripts/run-tests.mjs tests/boards`.
const OPT_IN = new Set(['tests/boards', 'tests/e2e-release'].map((d) => join('dist', d)));

function find(dir) {
  let out = [];
  let names = [];
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
const hasSource = (f) => existsSync(relative('dist', f).replace(/\.js$/, '.ts'));
const files = dirs.flatMap((d) => find(join('dist', d))).filter((f) => hasSource(f) && (!filter || f.includes(filter)));
let passed = 0;
let failed = 0;
let skipped = 0;
const broken = [];
for (const file of files) {
  const started = Date.now();
  process.stdout.write(`\n# ${relative('dist', file)}\n`);
  const r = spawnSync(process.execPath, [file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' } });
  process.stdout.write(r.stdout ?? '');
  process.stderr.write(r.stderr ?? '');
  const num = (label) => Number((new RegExp(`${label}:\\s+(\\d+)`).exec(r.stdout ?? '') ?? [])[1] ?? NaN);
  const total = num('Total');
  const ok = num('Passed');
  const skip = num('Skipped') || 0;
  if (Number.isNaN(total) || Number.isNaN(ok)) {
    failed += 1;
    broken.push(`${file}: no uvu summary (exit ${r.status}${r.signal ? `, ${r.signal}` : ''})`);
    continue;
  }
  passed += ok;
  skipped += skip;
  const bad = Math.max(0, total - ok - skip);
  failed += bad;
  if (bad || r.status !== 0) {
    if (!bad) failed += 1;
    broken.push(`${file}: ${bad || 1} failed`);
  }
  process.stdout.write(`# ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}
if (files.length === 0) {
  broken.push(`no test files under ${dirs.map((d) => join('dist', d)).join(', ')}`);
  failed += 1;
}
if (broken.length) process.stdout.write(`\nFailures:\n${broken.map((b) => `  ${b}`).join('\n')}\n`);
process.stdout.write(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
process.exit(failed ? 1 : 0);
