import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { formatDiagnostic } from '../diagnostics/printer.js';

// The one failure the run queue expects from a task: the user can act on it
// (a script's exit code, a missing file, bad metadata met while running), so
// it ends that task as failed and the build goes on or stops as -k says.
// Any other exception a task throws is a bug and aborts the build.

/** A task failed for a reason the user can act on; the message says which. */
export class TaskFailed extends Error {
  constructor(
    message: string,
    readonly log?: string,
  ) {
    super(message);
  }

  /** Bad metadata found while a task runs: the diagnostics, printed with their file:line, as the task's failure. */
  static of(diagnostics: readonly Diagnostic[]): TaskFailed {
    return new TaskFailed(diagnostics.map(formatDiagnostic).join('\n').trimEnd());
  }
}
