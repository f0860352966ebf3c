import { join } from 'node:path';
import type { RemoteSource } from './source.js';

// A mirror is a folder or an http(s) URL holding files by name and by
// checksum (`sha256/<hex>`), so it can be filled from any origin: what makes
// a file right is its sha256, never where it came from.

export function mirrorCandidates(mirror: string, src: RemoteSource): string[] {
  const byName = encodeURIComponent(src.name);
  if (/^https?:\/\//.test(mirror)) {
    const base = mirror.replace(/\/$/, '');
    return [`${base}/sha256/${src.sha256}`, `${base}/${byName}`];
  }
  return [join(mirror, 'sha256', src.sha256), join(mirror, src.name)];
}
