import { UserError, type Diagnostic } from '../../core/diagnostics/diagnostic.js';
import { writeTree } from './strata.js';

/** The first diagnostic of the UserError `fn` throws; fails the test if it throws none. */
export function diagOf(fn: () => unknown): Diagnostic {
  try {
    fn();
  } catch (e) {
    if (e instanceof UserError) return e.diagnostics[0];
    throw e;
  }
  throw new Error('expected a UserError, nothing was thrown');
}

/**
 * Writes `files` into `dir`, runs `load(dir)` and returns each diagnostic of
 * the UserError it throws as `file:line:col code message`, the file relative
 * to `dir`; none when `load` succeeds. For tables of "this file gives these
 * problems, all in one run".
 */
export function problemsOf(dir: string, files: Record<string, string>, load: (dir: string) => unknown): string[] {
  writeTree(dir, files);
  try {
    load(dir);
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
    return e.diagnostics.map((d: Diagnostic) => `${d.location!.file.slice(dir.length + 1)}:${d.location!.line}:${d.location!.column} ${d.code} ${d.message}`);
  }
  return [];
}
