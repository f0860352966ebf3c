import { resolve } from 'node:path';
import { importIntoMirror } from '../fetch/mirror-import.js';
import { diag, UserError } from '../diagnostics/diagnostic.js';
import { existsSync } from 'node:fs';

export const USAGE = 'strata mirror import <mirror-folder> <file>…';

export async function mirrorCommand(argv: string[]): Promise<number> {
  const [sub, mirror, ...files] = argv;
  if (sub !== 'import' || !mirror || files.length === 0) {
    process.stdout.write(`usage: ${USAGE}\n`);
    return sub === '--help' || sub === '-h' ? 0 : 2;
  }
  const missing = files.filter((f) => !existsSync(f));
  if (missing.length) throw new UserError(missing.map((f) => diag('mirror-import-missing', `cannot import ${f}: no such file`)));
  for (const f of files) {
    const { sha256, path } = await importIntoMirror(resolve(mirror), resolve(f));
    process.stdout.write(`${f} -> ${path} (sha256 ${sha256})\n`);
  }
  return 0;
}
