import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Script } from 'node:vm';
import { writeFileAtomicallySync } from '../fs/atomic-write.js';

// Runs the command line's CommonJS bundle through V8's code cache, so a
// command does not parse and compile the same megabyte of JavaScript on
// every start. Node 20 has no compile cache of its own for the modules it
// loads (module.enableCompileCache came in Node 22), but vm.Script takes
// and makes V8's cached data: the first run of a command compiles as usual
// and, on exit, saves the code of every function it compiled; later runs
// of that command start from it. That halves a no-op build's own start-up
// (npm run bench:startup, docs/architecture.md).
//
// One cache file per command, because each saves what its own run compiled
// (`strata --help` compiles a few functions, a build hundreds). A run that
// started from the cache and exits saves it again with its own functions
// added (V8 writes every compiled function, the cached ones included), for
// the first MERGED_RUNS runs of a command: a first build's cache then also
// learns what the next no-op build runs, which a cache of the first run
// alone lacks (a no-op build then compiled a third of its code again). After
// that the file stays as it is, since saving costs about 15 ms.
//
// The file's name is derived from everything that decides whether the
// cached code is this bundle's: Node's version and architecture, and the
// bundle's size, modification time and inode; and Node's options, since V8
// refuses data made under other flags (two ways of running would otherwise
// replace each other's file on every run). V8 itself only checks the
// source's length, so a bundle edited in place to the same length would
// otherwise run the old code. V8 refuses a corrupt file; the run then
// compiles as usual and saves it again. A folder that cannot be written
// only costs the compile. The files sit beside the
// bundle (dist/, which `npm run build` empties), so a stale one never
// outlives the build it came from.

const CACHE_FOLDER = '.code-cache';
const MERGED_RUNS = 4;

/** Where the cache of `command` for the bundle as it is now on disk lives: `<folder>/<command>.<identity>.<runs>.v8`. */
export function codeCacheName(bundle: string, command: string | undefined): { folder: string; prefix: string } {
  const st = statSync(bundle, { bigint: true });
  const identity = [process.version, process.arch, process.execArgv.join(' '), process.env.NODE_OPTIONS ?? '', st.size, st.mtimeNs, st.ino, st.dev].join('\n');
  const name = command && /^[a-z][a-z-]{0,31}$/.test(command) ? command : 'other';
  return { folder: join(dirname(bundle), CACHE_FOLDER), prefix: `${name}.${createHash('sha256').update(identity).digest('hex').slice(0, 16)}.` };
}

/** The cache file made by the most runs, and how many; none yet is 0 runs. */
function latestCache(folder: string, prefix: string): { file?: string; runs: number } {
  let files: string[];
  try {
    files = readdirSync(folder);
  } catch {
    return { runs: 0 };
  }
  let best: { file?: string; runs: number } = { runs: 0 };
  for (const f of files) {
    const runs = f.startsWith(prefix) && /^[1-9]\d*\.v8$/.test(f.slice(prefix.length)) ? Number.parseInt(f.slice(prefix.length), 10) : 0;
    if (runs > best.runs) best = { file: join(folder, f), runs };
  }
  return best;
}

/** Runs `bundle` (a CommonJS file) as Node would run it as the main script, with V8's code cache for `command`. */
export function runWithCodeCache(bundle: string, command: string | undefined): void {
  const { folder, prefix } = codeCacheName(bundle, command);
  const latest = latestCache(folder, prefix);
  let cachedData: Buffer | undefined;
  try {
    cachedData = latest.file === undefined ? undefined : readFileSync(latest.file);
  } catch {
    cachedData = undefined;
  }
  // A '#!' line is not JavaScript once wrapped in a function; '//' keeps the
  // length and the line numbers of stack traces.
  const text = readFileSync(bundle, 'utf8');
  const source = text.startsWith('#!') ? `//${text.slice(2)}` : text;
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: bundle, cachedData });
  const fresh = cachedData === undefined || script.cachedDataRejected;
  const runs = fresh ? 1 : latest.runs + 1;
  if (fresh || runs <= MERGED_RUNS) process.once('exit', () => saveCodeCache(script, folder, prefix, runs));
  const module = { exports: {} };
  const run = script.runInThisContext() as (...args: unknown[]) => void;
  run.call(module.exports, module.exports, createRequire(bundle), module, bundle, dirname(bundle));
}

function saveCodeCache(script: Script, folder: string, prefix: string, runs: number): void {
  try {
    mkdirSync(folder, { recursive: true });
    const file = `${prefix}${runs}.v8`;
    writeFileAtomicallySync(join(folder, file), script.createCachedData());
    // The earlier runs' files of the same command, bundle and options. Files
    // of earlier bundles go with dist/ on the next `npm run build`; those of
    // other options are theirs.
    for (const f of readdirSync(folder))
      if (f !== file && f.startsWith(prefix) && /^\d+\.v8$/.test(f.slice(prefix.length))) rmSync(join(folder, f), { force: true });
  } catch {
    // A read-only install: every run compiles, as without the cache.
  }
}
