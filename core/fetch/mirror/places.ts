import { join } from 'node:path';
import type { Place } from '../fetcher.js';

// A mirror is a folder or a URL (of any scheme a fetcher plugin serves:
// http(s), file) holding files by name and by checksum (`sha256/<hex>`), so
// it can be filled from any origin: what makes a file right is its sha256,
// never where it came from.

/** Places in one mirror for a file, by checksum first; by name only when the checksum is not known (git tarballs). */
export function mirrorPlaces(mirror: string, src: { readonly name: string; readonly sha256?: string }): Place[] {
  const byName = encodeURIComponent(src.name);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(mirror)) {
    const base = mirror.replace(/\/$/, '');
    return [...(src.sha256 ? [`${base}/sha256/${src.sha256}`] : []), `${base}/${byName}`].map((url) => ({ url }));
  }
  return [...(src.sha256 ? [join(mirror, 'sha256', src.sha256)] : []), join(mirror, src.name)].map((url) => ({ url }));
}
