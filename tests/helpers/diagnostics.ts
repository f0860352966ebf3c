import { UserError, type Diagnostic } from '../../core/diagnostics/diagnostic.js';

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
