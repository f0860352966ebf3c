import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, sign, verify, type KeyObject } from 'node:crypto';
import { keyIdHex, signedMessage, SIG_ALG_HASHED, type PublicKey, type SecretKey, type Signature } from './minisign.js';

// Ed25519 through node's crypto (OpenSSL), on minisign's raw key bytes:
// keys go in and out of node as JWK, whose `x` is the 32-byte public key
// and `d` the 32-byte seed (RFC 8037).

const b64url = (b: Buffer): string => b.toString('base64url');

function privateKeyObject(k: SecretKey): KeyObject {
  return createPrivateKey({ key: { kty: 'OKP', crv: 'Ed25519', d: b64url(k.seed), x: b64url(k.key) }, format: 'jwk' });
}

function publicKeyObject(k: PublicKey): KeyObject {
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: b64url(k.key) }, format: 'jwk' });
}

/** A new key pair with a random 8-byte key id, as `minisign -G` makes. */
export function generateKey(): SecretKey {
  const { privateKey } = generateKeyPairSync('ed25519');
  const jwk = privateKey.export({ format: 'jwk' });
  return { keyId: randomBytes(8), seed: Buffer.from(jwk.d!, 'base64url'), key: Buffer.from(jwk.x!, 'base64url') };
}

/**
 * Signs `content` the way `minisign -S` does (prehashed "ED"). The trusted
 * comment is Strata's: the file's name and the signer's key id, and no
 * timestamp, so signing the same file with the same key gives the same
 * signature file (Ed25519 is deterministic, RFC 8032).
 */
export function signContent(k: SecretKey, content: Buffer, fileName: string): Signature {
  const key = privateKeyObject(k);
  const signature = sign(null, signedMessage(SIG_ALG_HASHED, content), key);
  const trustedComment = `file:${fileName}\tkey:${keyIdHex(k.keyId)}\tsigned by strata`;
  const globalSignature = sign(null, Buffer.concat([signature, Buffer.from(trustedComment)]), key);
  return { algorithm: SIG_ALG_HASHED, keyId: k.keyId, signature, trustedComment, globalSignature };
}

/** Why a signature does not hold for this content and key, or undefined when it does. */
export function checkSignature(k: PublicKey, s: Signature, content: Buffer): 'key-id' | 'content' | 'comment' | undefined {
  if (!s.keyId.equals(k.keyId)) return 'key-id';
  const key = publicKeyObject(k);
  if (!verify(null, signedMessage(s.algorithm, content), key, s.signature)) return 'content';
  if (!verify(null, Buffer.concat([s.signature, Buffer.from(s.trustedComment)]), key, s.globalSignature)) return 'comment';
  return undefined;
}
