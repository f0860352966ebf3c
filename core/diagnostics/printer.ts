import { readFileSync } from 'node:fs';
import { redactText } from './redact.js';
import type { Diagnostic, SourceLocation } from './diagnostic.js';
import { printable } from './printable.js';

// The one place diagnostics become text: `file:line:col: error[code]: message`,
// the offending source line with a caret, related locations, then the hint.
// Credentials in any URL are hidden in all of it, the quoted line included
// (a recipe may write `https://user:password@host/…`; core/diagnostics/redact.ts).

function sourceLine(loc: SourceLocation): string | undefined {
  if (loc.line <= 0) return undefined;
  try {
    return readFileSync(loc.file, 'utf8').split('\n')[loc.line - 1];
  } catch {
    return undefined;
  }
}

export function formatLocation(loc: SourceLocation): string {
  return loc.line > 0 ? `${loc.file}:${loc.line}:${loc.column}` : loc.file;
}

export function formatDiagnostic(d: Diagnostic): string {
  const out: string[] = [];
  const where = d.location ? `${formatLocation(d.location)}: ` : '';
  out.push(`${where}${d.severity}[${d.code}]: ${d.message}`);
  if (d.location) {
    const text = sourceLine(d.location);
    if (text !== undefined) {
      out.push(`    ${text}`);
      out.push(`    ${' '.repeat(Math.max(0, d.location.column - 1))}^`);
    }
  }
  for (const r of d.related ?? []) {
    out.push(`  note: ${r.location ? formatLocation(r.location) + ': ' : ''}${r.message}`);
  }
  if (d.hint) out.push(`  hint: ${d.hint}`);
  return printable(redactText(out.join('\n')));
}

export function printDiagnostics(diags: readonly Diagnostic[], write: (s: string) => void = (s) => process.stderr.write(s)): void {
  for (const d of diags) write(formatDiagnostic(d) + '\n');
}
