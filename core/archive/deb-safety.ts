import { toolOutput } from './decompress.js';
import { listTarStream, type Listing, type ListOptions } from './tar-listing.js';
import { memberProblems, type MemberCheckOptions, type MemberProblem } from './unpack-safety.js';

// A Debian package's file tree checked before it is extracted: dpkg-deb
// itself streams the data archive out (whatever its compression), and our
// reader lists it; the unpack task extracts that same stream as
// `dpkg-deb -x` would (tar -xp, core/build/unpack-staging.ts), so the
// package is decompressed once. Package trees are rooted (see
// memberProblems): absolute symlinks are normal in them, writing through
// one is not.

/** The package's data archive as a tar stream: what `dpkg-deb -x` extracts. */
export const debTarStream = (path: string): AsyncGenerator<Buffer> => toolOutput('dpkg-deb', ['--fsys-tarfile', path]);

export async function listDeb(path: string, opts: ListOptions = {}): Promise<Listing> {
  return listTarStream(debTarStream(path), opts);
}

export async function debProblems(path: string, opts: Omit<MemberCheckOptions, 'rooted'> = {}): Promise<MemberProblem[]> {
  const listing = await listDeb(path);
  return 'unreadable' in listing ? [listing.unreadable] : memberProblems(listing.entries, { ...opts, rooted: true });
}
