import { constants } from 'node:os';

// How a process ended, as a value: the caller decides whether a non-zero
// exit, a signal, a timeout or a missing tool is an error, and words it for
// its user (docs/architecture.md: expected failures are values).

export type ProcessExit =
  | { readonly kind: 'exited'; readonly code: number }
  | { readonly kind: 'signalled'; readonly signal: NodeJS.Signals }
  /** Killed (its whole process group) because it ran longer than it was allowed. */
  | { readonly kind: 'timed-out'; readonly afterMs: number }
  /** The program is not on PATH (or not at the path given): nothing was started. */
  | { readonly kind: 'not-found'; readonly file: string }
  /** It exists but could not be started (not executable, a missing working folder…). */
  | { readonly kind: 'cannot-start'; readonly file: string; readonly message: string };

export const succeeded = (exit: ProcessExit): boolean => exit.kind === 'exited' && exit.code === 0;

/** The exit code a shell would show: 128 + signal number for a signal, 127 for not found, -1 otherwise. */
export function exitCode(exit: ProcessExit): number {
  switch (exit.kind) {
    case 'exited':
      return exit.code;
    case 'signalled':
      return 128 + (constants.signals[exit.signal] ?? 0);
    case 'not-found':
      return 127;
    default:
      return -1;
  }
}

/** A few words for messages: "exit code 2", "killed by SIGTERM", "not found". */
export function describeExit(exit: ProcessExit): string {
  switch (exit.kind) {
    case 'exited':
      return `exit code ${exit.code}`;
    case 'signalled':
      return `killed by ${exit.signal}`;
    case 'timed-out':
      return `timed out after ${exit.afterMs / 1000} s`;
    case 'not-found':
      return `${exit.file}: not found`;
    case 'cannot-start':
      return `${exit.file} cannot be started: ${exit.message}`;
  }
}

/** A signal's name from its number (node-pty reports numbers). */
export function signalName(n: number): NodeJS.Signals | undefined {
  return (Object.keys(constants.signals) as NodeJS.Signals[]).find((k) => constants.signals[k] === n);
}
