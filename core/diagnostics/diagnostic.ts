// A diagnostic is data: what went wrong, where, and what to do about it.
// Every user-facing error in Strata is one of these, printed by one printer.

export interface SourceLocation {
  readonly file: string;
  /** 1-based line and column; 0 when the whole file is meant. */
  readonly line: number;
  readonly column: number;
}

export type Severity = 'error' | 'warning' | 'note';

export interface Diagnostic {
  readonly severity: Severity;
  /** Stable code such as `yaml-syntax` or `fetch-checksum`, for docs and tests. */
  readonly code: string;
  readonly message: string;
  readonly location?: SourceLocation;
  readonly related?: readonly { message: string; location?: SourceLocation }[];
  readonly hint?: string;
}

export function diag(
  code: string,
  message: string,
  location?: SourceLocation,
  extra: { hint?: string; related?: Diagnostic['related']; severity?: Severity } = {},
): Diagnostic {
  return { severity: extra.severity ?? 'error', code, message, location, related: extra.related, hint: extra.hint };
}

/**
 * The one exception type for user errors. Deep code throws it when unwinding
 * by hand would be noise; the CLI catches it in one place and prints it.
 * Any other exception is a bug in Strata.
 */
export class UserError extends Error {
  readonly diagnostics: readonly Diagnostic[];
  constructor(diagnostics: Diagnostic | readonly Diagnostic[]) {
    const list = Array.isArray(diagnostics) ? diagnostics : [diagnostics as Diagnostic];
    super(list.map((d) => d.message).join('\n'));
    this.diagnostics = list;
  }
}

export const fail = (...args: Parameters<typeof diag>): never => {
  throw new UserError(diag(...args));
};
