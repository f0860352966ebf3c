import { resolve } from 'node:path';
import { diag, UserError } from '../diagnostics/diagnostic.js';
import { readSecretKey, signFile, writeKeyPair } from '../release/sign-file.js';
import { parse } from './options.js';

export const USAGE = ['strata sign <file> --key SECRET-KEY', 'strata sign --generate-key NAME   (writes NAME.key and NAME.pub)'].join('\n       ');

// Signs a file (a build manifest, usually) with an Ed25519 key in
// minisign's format, so `minisign -V -p KEY.pub -m FILE` checks it too
// (docs/releases.md).

export async function signCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { key: { type: 'string' }, 'generate-key': { type: 'string' }, help: { type: 'boolean', short: 'h' } }, USAGE);
  if (values.help) {
    process.stdout.write(`usage: ${USAGE}\n`);
    return 0;
  }
  if (values['generate-key'] !== undefined) {
    const { key, pub, keyId } = await writeKeyPair(resolve(values['generate-key']));
    process.stdout.write(`key ${keyId}: secret key ${key} (unencrypted, keep it private), public key ${pub}\n`);
    return 0;
  }
  if (positionals.length !== 1 || !values.key) throw new UserError(diag('usage', 'sign needs one file and --key', undefined, { hint: `usage: ${USAGE}` }));
  const written = await signFile(resolve(positionals[0]), readSecretKey(resolve(values.key)));
  process.stdout.write(`signed ${positionals[0]}: ${written.join(', ')}\n`);
  return 0;
}
