import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
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
// (`strata --help` compiles a few functions, a build hundreds). The file's
// name is derived from everything that decides whether the cached code is
// this bundle's: Node's version and architecture, and the bundle's size,
// modification time and inode. V8 itself only checks the source's length,
// so a bundle edited in place to the same length would otherwise run the
// old code. V8 refuses data made under other flags or a corrupt file; the
// run then compiles as usual and writes the file again. A folder that
// cannot be written only costs the compile. The files sit beside the
// bundle (dist/, which `npm run build` empties), so a stale one never
// outlives the build it came from.

const CACHE_FOLDER = '.code-cache';

/** The cache file of `command` for the bundle as it is now on disk. */
export function codeCacheFile(bundle: string, command: string | undefined): string {
  const st = statSync(bundle, { bigint: true });
  const identity = [process.version, process.arch, st.size, st.mtimeNs, st.ino, st.dev].join(' ');
  const name = command && /^[a-z][a-z-]{0,31}$/.test(command) ? command : 'other';
  return join(dirname(bundle), CACHE_FOLDER, `${name}.${createHash('sha256').update(identity).digest('hex').slice(0, 16)}.v8`);
}

/** Runs `bundle` (a CommonJS file) as Node would run it as the main script, with V8's code cache for `command`. */
export function runWithCodeCache(bundle: string, command: string | undefined): void {
  const cacheFile = codeCacheFile(bundle, command);
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  // A '#!' line is not JavaScript once wrapped in a function; '//' keeps the
  // length and the line numbers of stack traces.
  const text = readFileSync(bundle, 'utf8');
  const source = text.startsWith('#!') ? `//${text.slice(2)}` : text;
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: bundle, cachedData });
  if (cachedData === undefined || script.cachedDataRejected) process.once('exit', () => saveCodeCache(script, cacheFile));
  const module = { exports: {} };
  const run = script.runInThisContext() as (...args: unknown[]) => void;
  run.call(module.exports, module.exports, createRequire(bundle), module, bundle, dirname(bundle));
}

function saveCodeCache(script: Script, cacheFile: string): void {
  try {
    mkdirSync(dirname(cacheFile), { recursive: true });
    writeFileAtomicallySync(cacheFile, script.createCachedData());
    // The same command's files for earlier builds of the bundle are dead.
    const [command] = basename(cacheFile).split('.');
    for (const f of readdirSync(dirname(cacheFile)))
      if (f !== basename(cacheFile) && new RegExp(`^${command}\\.[0-9a-f]{16}\\.v8$`).test(f)) rmSync(join(dirname(cacheFile), f), { force: true });
  } catch {
    // A read-only install: every run compiles, as without the cache.
  }
}
