import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { diag, type Diagnostic } from '../diagnostics/diagnostic.js';
import { checkSignature } from './ed25519.js';
import { jsonDiffPaths } from './json-diff.js';
import { keyIdHex, parsePublicKey, parseSignature, type PublicKey } from './minisign.js';

// t-of-n verification of a signed file (docs/releases.md, "Signatures").
//
// Where signatures are: `<file>.minisig` (minisign's own name, so a single
// signer's `minisign -V -m <file>` works unchanged), `<file>.<KEYID>.minisig`
// (one per signer, so several signers can sign the same file side by side),
// and files named the same way in `--signatures DIR` (a release folder,
// where a rebuild's manifest finds the original's signatures). Trusted keys are
// the `*.pub` files (minisign format) in the keys folder.
//
// The file is accepted when at least `threshold` distinct trusted keys have
// a valid signature of it. A signature by a key that is not trusted is
// reported and not counted; a signature by a trusted key that does not match
// the file fails the whole check, because it means the file changed after a
// trusted signer signed it (or the signature was damaged): counting the
// other signatures would hide that.

export interface TrustedKey extends PublicKey {
  readonly file: string;
}

export interface QuorumReport {
  readonly file: string;
  readonly trusted: readonly TrustedKey[];
  /** Distinct trusted key ids with a valid signature, and the signature file of each. */
  readonly valid: ReadonlyMap<string, string>;
  readonly untrusted: readonly { file: string; keyId: string }[];
  readonly problems: readonly Diagnostic[];
  readonly ok: boolean;
}

const at = (file: string) => ({ file, line: 0, column: 0 });

/** Signature files for `file`: `<name>.minisig` and `<name>.*.minisig`, beside it and in `extraDir`. */
export function signatureFiles(file: string, extraDir?: string): string[] {
  const name = basename(file);
  const named = (dir: string) =>
    readdirSync(dir)
      .filter((f) => f === `${name}.minisig` || (f.startsWith(`${name}.`) && f.endsWith('.minisig')))
      .map((f) => join(dir, f));
  return [...new Set([...named(dirname(file)), ...(extraDir && existsSync(extraDir) ? named(extraDir) : [])])].sort();
}

export function loadTrustedKeys(dir: string): { keys: TrustedKey[]; problems: Diagnostic[] } {
  const keys: TrustedKey[] = [];
  const problems: Diagnostic[] = [];
  if (!existsSync(dir))
    return {
      keys,
      problems: [diag('keys-missing', `no trusted keys folder ${dir}`, undefined, { hint: 'give --keys a folder of minisign public keys (*.pub)' })],
    };
  for (const f of readdirSync(dir)
    .filter((n) => n.endsWith('.pub'))
    .sort()) {
    const path = join(dir, f);
    const k = parsePublicKey(readFileSync(path, 'utf8'));
    if (!k.ok) {
      problems.push(diag('key-unreadable', `${k.error}`, at(path), { hint: 'a trusted key is a minisign public key file (two lines: comment, base64)' }));
      continue;
    }
    const same = keys.find((o) => o.keyId.equals(k.value.keyId));
    if (same && !same.key.equals(k.value.key)) {
      problems.push(
        diag('key-id-clash', `key id ${keyIdHex(k.value.keyId)} names two different keys: ${same.file} and ${path}`, at(path), {
          hint: 'remove the one you do not trust',
        }),
      );
      continue;
    }
    if (!same) keys.push({ ...k.value, file: path });
  }
  return { keys, problems };
}

/**
 * When the signed copy lies beside the signature (a release folder) and
 * both are JSON, the fields where the checked file differs from it.
 */
function signedCopyDiff(file: string, sigFile: string): { message: string }[] {
  const copy = join(dirname(sigFile), basename(file));
  if (copy === file || !existsSync(copy)) return [];
  try {
    const paths = jsonDiffPaths(JSON.parse(readFileSync(copy, 'utf8')), JSON.parse(readFileSync(file, 'utf8')));
    return paths.length ? [{ message: `compared with the signed ${copy}, it differs at:\n      ${paths.join('\n      ')}` }] : [];
  } catch {
    return [];
  }
}

export function checkQuorum(file: string, keysDir: string, threshold: number, signaturesDir?: string): QuorumReport {
  const { keys, problems } = loadTrustedKeys(keysDir);
  const valid = new Map<string, string>();
  const untrusted: { file: string; keyId: string }[] = [];
  const done = (): QuorumReport => ({ file, trusted: keys, valid, untrusted, problems, ok: problems.length === 0 && valid.size >= threshold });
  if (!existsSync(file)) {
    problems.push(
      diag('verify-missing', `${file} does not exist`, undefined, {
        hint: 'name the signed file (a build manifest: build/deploy/images/<machine>/<image>-<machine>.manifest.json)',
      }),
    );
    return done();
  }
  if (threshold > keys.length && problems.length === 0) {
    problems.push(
      diag('threshold-too-high', `the threshold is ${threshold} but ${keysDir} holds ${keys.length} trusted key${keys.length === 1 ? '' : 's'}`, at(keysDir), {
        hint: `add the signers' .pub files to ${keysDir}, or lower --threshold`,
      }),
    );
  }
  const content = readFileSync(file);
  const sigs = signatureFiles(file, signaturesDir);
  const mismatched = new Set<string>();
  for (const sf of sigs) {
    const s = parseSignature(readFileSync(sf, 'utf8'));
    if (!s.ok) {
      problems.push(diag('signature-unreadable', s.error, at(sf), { hint: 'remove the file or ask its signer for it again' }));
      continue;
    }
    const id = keyIdHex(s.value.keyId);
    const key = keys.find((k) => k.keyId.equals(s.value.keyId));
    if (!key) {
      untrusted.push({ file: sf, keyId: id });
      continue;
    }
    const why = checkSignature(key, s.value, content);
    if (why === 'content') {
      // One report per key: the same signature often lies under two names.
      if (mismatched.has(id)) continue;
      mismatched.add(id);
      problems.push(
        diag('signature-mismatch', `${file} does not match its signature by trusted key ${id} (${sf})`, at(file), {
          related: signedCopyDiff(file, sf),
          hint: `the file changed after it was signed, or it is not the file that was signed: rebuild it, compare it with the signer's copy, and sign it again (strata sign ${file} --key …)`,
        }),
      );
    } else if (why === 'comment') {
      problems.push(
        diag('signature-comment', `the trusted comment of ${sf} was changed after signing (key ${id})`, at(sf), {
          hint: 'ask the signer for the signature again',
        }),
      );
    } else if (!valid.has(id)) valid.set(id, sf);
  }
  if (problems.length === 0 && valid.size < threshold) {
    const tail = untrusted.length
      ? `; also signed by key${untrusted.length === 1 ? '' : 's'} not in ${keysDir}: ${untrusted.map((u) => `${u.keyId} (${u.file})`).join(', ')}`
      : '';
    problems.push(
      diag(
        'threshold-not-met',
        `${file} is signed by ${valid.size} of the ${threshold} trusted keys required (${sigs.length} signature file${sigs.length === 1 ? '' : 's'} found${tail})`,
        at(file),
        {
          hint: untrusted.length
            ? `a signature counts only when its signer's public key is in ${keysDir}: add the .pub of each signer you trust, or get more trusted signers to run \`strata sign ${file} --key …\``
            : `get ${threshold - valid.size} more trusted signer${threshold - valid.size === 1 ? '' : 's'} to run \`strata sign ${file} --key …\`, and put their signatures beside the file`,
        },
      ),
    );
  }
  return done();
}
