import { createHash } from 'node:crypto';
import { err, ok, type Result } from '../model/result.js';
import { blake2b } from './blake2b.js';

// minisign's key and signature files (https://jedisct1.github.io/minisign/,
// and src/minisign.h of minisign 0.11, which Debian ships), so a signature
// Strata writes is checked by the real `minisign -V` and one minisign
// writes is checked by Strata. Each file is an "untrusted comment:" line and
// a base64 line; a signature adds a "trusted comment:" line and a second
// base64 line (the global signature, over the first signature and the
// trusted comment, so the trusted comment cannot be changed).
//
//   public key  "Ed" ‖ key id (8) ‖ Ed25519 public key (32)
//   secret key  "Ed" ‖ kdf ‖ "B2" ‖ salt (32) ‖ opslimit (8) ‖ memlimit (8)
//               ‖ key id (8) ‖ Ed25519 secret key (seed ‖ public, 64)
//               ‖ BLAKE2b-256(“Ed” ‖ key id ‖ secret key) (32)
//               kdf "\0\0" = unencrypted (what `minisign -G -W` writes and
//               what Strata writes), "Sc" = scrypt-encrypted (not read here)
//   signature   "ED" ‖ key id (8) ‖ Ed25519(BLAKE2b-512(file)) (64)
//               ("Ed", the legacy form, signs the file itself)
//
// The key id is 8 bytes; minisign prints it as a little-endian 64-bit
// number in upper-case hex ("%016" PRIX64), and so does Strata.

export const SIG_ALG = 'Ed';
export const SIG_ALG_HASHED = 'ED';
const KDF_NONE = Buffer.from([0, 0]);
const KDF_SCRYPT = 'Sc';
const CHK_ALG = 'B2';
const UNTRUSTED = 'untrusted comment: ';
const TRUSTED = 'trusted comment: ';

export interface PublicKey {
  readonly keyId: Buffer;
  readonly key: Buffer;
}

export interface SecretKey extends PublicKey {
  /** The 32-byte Ed25519 seed (the first half of libsodium's 64-byte secret key). */
  readonly seed: Buffer;
}

export interface Signature {
  readonly algorithm: 'Ed' | 'ED';
  readonly keyId: Buffer;
  readonly signature: Buffer;
  readonly trustedComment: string;
  readonly globalSignature: Buffer;
}

/** The key id as minisign prints it: the 8 bytes read as a little-endian number, upper-case hex. */
export const keyIdHex = (id: Buffer): string => Buffer.from(id).reverse().toString('hex').toUpperCase();

/** What minisign signs: BLAKE2b-512 of the file for "ED", the file itself for legacy "Ed". */
export function signedMessage(algorithm: 'Ed' | 'ED', content: Buffer): Buffer {
  return algorithm === SIG_ALG_HASHED ? createHash('blake2b512').update(content).digest() : content;
}

const b64 = (parts: (string | Buffer)[]): string => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : p))).toString('base64');

export function formatPublicKey(k: PublicKey): string {
  return `${UNTRUSTED}minisign public key ${keyIdHex(k.keyId)}\n${b64([SIG_ALG, k.keyId, k.key])}\n`;
}

function secretChecksum(keyId: Buffer, sk: Buffer): Buffer {
  return blake2b(Buffer.concat([Buffer.from(SIG_ALG), keyId, sk]), 32);
}

export function formatSecretKey(k: SecretKey): string {
  const sk = Buffer.concat([k.seed, k.key]);
  const zeros = Buffer.alloc(48);
  return `${UNTRUSTED}minisign secret key ${keyIdHex(k.keyId)} (unencrypted, written by strata)\n${b64([SIG_ALG, KDF_NONE, CHK_ALG, zeros, k.keyId, sk, secretChecksum(k.keyId, sk)])}\n`;
}

export function formatSignature(s: Signature, untrustedComment: string): string {
  return `${UNTRUSTED}${untrustedComment}\n${b64([s.algorithm, s.keyId, s.signature])}\n${TRUSTED}${s.trustedComment}\n${s.globalSignature.toString('base64')}\n`;
}

/** The base64 line after the comment, decoded, or a reason it is not there. */
function payload(text: string, what: string): Result<{ lines: string[]; data: Buffer }, string> {
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  if (!lines[0]?.startsWith(UNTRUSTED)) return err(`not a minisign ${what}: the first line does not start with "${UNTRUSTED}"`);
  const line = (lines[1] ?? '').trim();
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(line)) return err(`not a minisign ${what}: the second line is not base64`);
  return ok({ lines, data: Buffer.from(line, 'base64') });
}

export function parsePublicKey(text: string): Result<PublicKey, string> {
  const p = payload(text, 'public key');
  if (!p.ok) return p;
  const d = p.value.data;
  if (d.length !== 42) return err(`not a minisign public key: ${d.length} bytes where minisign writes 42`);
  if (d.subarray(0, 2).toString('latin1') !== SIG_ALG) return err('unsupported public key algorithm (minisign keys start with "Ed")');
  return ok({ keyId: Buffer.from(d.subarray(2, 10)), key: Buffer.from(d.subarray(10, 42)) });
}

export function parseSecretKey(text: string): Result<SecretKey, string> {
  const p = payload(text, 'secret key');
  if (!p.ok) return p;
  const d = p.value.data;
  if (d.length !== 158) return err(`not a minisign secret key: ${d.length} bytes where minisign writes 158`);
  if (d.subarray(0, 2).toString('latin1') !== SIG_ALG) return err('unsupported secret key algorithm');
  const kdf = d.subarray(2, 4);
  if (kdf.toString('latin1') === KDF_SCRYPT)
    return err(
      'this secret key is encrypted with a password; Strata reads unencrypted keys only (make one with `strata sign --generate-key` or `minisign -G -W`)',
    );
  if (!kdf.equals(KDF_NONE)) return err('unsupported key derivation in the secret key');
  if (d.subarray(4, 6).toString('latin1') !== CHK_ALG) return err('unsupported checksum in the secret key');
  const keyId = Buffer.from(d.subarray(54, 62));
  const sk = Buffer.from(d.subarray(62, 126));
  if (!secretChecksum(keyId, sk).equals(d.subarray(126, 158))) return err('the secret key is damaged: its checksum does not match');
  return ok({ keyId, seed: sk.subarray(0, 32), key: sk.subarray(32, 64) });
}

export function parseSignature(text: string): Result<Signature, string> {
  const p = payload(text, 'signature');
  if (!p.ok) return p;
  const d = p.value.data;
  if (d.length !== 74) return err(`not a minisign signature: ${d.length} bytes where minisign writes 74`);
  const algorithm = d.subarray(0, 2).toString('latin1');
  if (algorithm !== SIG_ALG && algorithm !== SIG_ALG_HASHED) return err(`unsupported signature algorithm '${algorithm}'`);
  const trusted = p.value.lines[2] ?? '';
  if (!trusted.startsWith(TRUSTED)) return err(`not a minisign signature: the third line does not start with "${TRUSTED}"`);
  const global = Buffer.from((p.value.lines[3] ?? '').trim(), 'base64');
  if (global.length !== 64) return err('not a minisign signature: the fourth line is not a 64-byte signature');
  return ok({
    algorithm,
    keyId: Buffer.from(d.subarray(2, 10)),
    signature: Buffer.from(d.subarray(10, 74)),
    trustedComment: trusted.slice(TRUSTED.length),
    globalSignature: global,
  });
}
