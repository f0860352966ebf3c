import { existsSync, readFileSync } from 'node:fs';
import { chmod } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { deployText } from '../deploy/deploy.js';
import { diag, UserError } from '../diagnostics/diagnostic.js';
import { generateKey, signContent } from './ed25519.js';
import { formatPublicKey, formatSecretKey, formatSignature, keyIdHex, parseSecretKey, parseSignature, type SecretKey } from './minisign.js';

// Files on disk for `strata sign`: key pairs and signatures, each written
// under a temporary name and renamed (deploy.ts), so a half-written key or
// signature never lies under its final name.

export function readSecretKey(path: string): SecretKey {
  if (!existsSync(path))
    throw new UserError(
      diag('key-missing', `no secret key ${path}`, undefined, { hint: 'make one with `strata sign --generate-key NAME` (writes NAME.key and NAME.pub)' }),
    );
  const k = parseSecretKey(readFileSync(path, 'utf8'));
  if (!k.ok) throw new UserError(diag('key-unreadable', k.error, { file: path, line: 0, column: 0 }));
  return k.value;
}

/** Writes `<base>.key` (mode 0600, unencrypted) and `<base>.pub`; refuses to overwrite a key. */
export async function writeKeyPair(base: string): Promise<{ key: string; pub: string; keyId: string }> {
  const [keyPath, pubPath] = [`${base}.key`, `${base}.pub`];
  for (const p of [keyPath, pubPath]) {
    if (existsSync(p))
      throw new UserError(
        diag('key-exists', `${p} exists; Strata does not overwrite keys`, undefined, { hint: 'choose another name, or remove the old pair yourself' }),
      );
  }
  const k = generateKey();
  const key = await deployText(formatSecretKey(k), dirname(keyPath), basename(keyPath));
  await chmod(key, 0o600);
  const pub = await deployText(formatPublicKey(k), dirname(pubPath), basename(pubPath));
  return { key, pub, keyId: keyIdHex(k.keyId) };
}

/**
 * Signs `file` with the secret key: writes `<file>.<KEYID>.minisig`, and
 * `<file>.minisig` too unless another key's signature is already there
 * (the first signer gets minisign's default name, every signer their own).
 */
export async function signFile(file: string, k: SecretKey): Promise<string[]> {
  if (!existsSync(file))
    throw new UserError(
      diag('sign-missing', `${file} does not exist`, undefined, {
        hint: 'build the image first: its manifest is build/deploy/images/<machine>/<image>-<machine>.manifest.json',
      }),
    );
  const sig = formatSignature(signContent(k, readFileSync(file), basename(file)), `signature from strata, key ${keyIdHex(k.keyId)}`);
  const written = [await deployText(sig, dirname(file), `${basename(file)}.${keyIdHex(k.keyId)}.minisig`)];
  const plain = `${file}.minisig`;
  const other = existsSync(plain) ? parseSignature(readFileSync(plain, 'utf8')) : undefined;
  if (!other || !other.ok || other.value.keyId.equals(k.keyId)) written.push(await deployText(sig, dirname(file), `${basename(file)}.minisig`));
  return written;
}
