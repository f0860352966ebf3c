import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// Test helpers: run the real `strata` command line in a child process, and
// make throw-away project folders.

/** The repository root (tests run from dist/tests/…). */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const CLI = join(ROOT, 'dist/core/cli/main.js');
export const FIXTURES = join(ROOT, 'tests/fixtures');
/**
 * The task cache every suite's builds share, so a kernel is compiled once:
 * `cache/` of the checkout, or the folder STRATA_TEST_CACHE names (README,
 * "Tests"). One name for it, here: two board tests read another variable
 * and so compiled every kernel again under STRATA_TEST_CACHE.
 */
export const TEST_CACHE = process.env.STRATA_TEST_CACHE ?? join(ROOT, 'cache');

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function strata(args: string[], opts: { cwd?: string; timeoutMs?: number; env?: Record<string, string> } = {}): Promise<CliResult> {
  return new Promise((done, reject) => {
    const env = opts.env ? { ...process.env, ...opts.env } : process.env;
    const child = spawn(process.execPath, [CLI, ...args], { cwd: opts.cwd ?? ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 600_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code: code ?? -1, stdout, stderr });
    });
  });
}

/** Writes files given as { 'relative/path': 'content' } under dir. */
export function writeTree(dir: string, files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    const p = join(dir, rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, text);
  }
}

/**
 * Temporary folders that the suite removes when it finishes:
 * `const tempDir = scratchDirs(test);`. The only way tests make one, so no
 * test leaves its folders behind (a test file killed by a signal aside).
 */
export function scratchDirs(suite: { after: (fn: () => void) => void }): (prefix?: string) => string {
  const made: string[] = [];
  suite.after(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));
  return (prefix = 'strata-test-') => {
    const d = mkdtempSync(join(tmpdir(), prefix));
    made.push(d);
    return d;
  };
}
