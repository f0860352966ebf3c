import { resolve } from 'node:path';
import { diag, UserError } from '../diagnostics/diagnostic.js';
import { printDiagnostics } from '../diagnostics/printer.js';
import { checkQuorum } from '../release/signatures.js';
import { parse } from './options.js';

export const USAGE = 'strata verify <file> --keys DIR [--threshold T] [--signatures DIR]';

// Accepts a signed file only when at least T distinct trusted keys (the
// *.pub in --keys) signed it; exit 0 when they did, 1 when not.

export async function verifyCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    argv,
    { keys: { type: 'string' }, threshold: { type: 'string' }, signatures: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    USAGE,
  );
  if (values.help) {
    process.stdout.write(`usage: ${USAGE}\n`);
    return 0;
  }
  if (positionals.length !== 1 || !values.keys) throw new UserError(diag('usage', 'verify needs one file and --keys', undefined, { hint: `usage: ${USAGE}` }));
  const threshold = Number(values.threshold ?? '1');
  if (!Number.isInteger(threshold) || threshold < 1)
    throw new UserError(diag('usage', `--threshold needs a whole number of at least 1, not '${values.threshold}'`));
  const file = resolve(positionals[0]);
  const r = checkQuorum(file, resolve(values.keys), threshold, values.signatures ? resolve(values.signatures) : undefined);
  for (const [id, sf] of r.valid) process.stdout.write(`good signature by trusted key ${id}: ${sf}\n`);
  for (const u of r.untrusted) process.stdout.write(`not counted: ${u.file} is signed by key ${u.keyId}, which is not in ${values.keys}\n`);
  printDiagnostics(r.problems);
  if (!r.ok) return 1;
  process.stdout.write(`${positionals[0]}: verified, signed by ${r.valid.size} of ${r.trusted.length} trusted keys (threshold ${threshold})\n`);
  return 0;
}
