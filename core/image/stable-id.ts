import { createHash } from 'node:crypto';

// Ids inside images (file system UUIDs, hash seeds, FAT volume ids, GPT disk
// and partition GUIDs, MBR disk signatures) are derived from the image's
// inputs instead of drawn at random, so the same inputs give the same bytes.
// UUIDs are "version 8" name-based UUIDs over SHA-256, the construction of
// RFC 9562 §5.8 and its example in Appendix B.2: the first 16 bytes of the
// hash with the version nibble set to 8 and the variant bits to 10.

export function stableBytes(seed: string, purpose: string, length = 16): Buffer {
  return createHash('sha256').update(`${purpose}\0${seed}`).digest().subarray(0, length);
}

/** Canonical text form, e.g. "0d7a5a1c-3b2e-8f41-9c0d-…". */
export function stableUuid(seed: string, purpose: string): string {
  const b = Buffer.from(stableBytes(seed, purpose));
  b[6] = (b[6] & 0x0f) | 0x80;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = b.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A 32-bit id as 8 hex digits (FAT volume id, MBR disk signature). */
export const stableHex32 = (seed: string, purpose: string): string => stableBytes(seed, purpose, 4).toString('hex');
