import { launch } from '../exec/launch.js';
import { describeExit, succeeded } from '../exec/process-exit.js';
import { listWhileWritten, toolInto } from './decompressed-copy.js';
import { listTarStream, type Listing, type ListOptions } from './tar-listing.js';
import { memberProblems, type MemberCheckOptions, type MemberProblem } from './unpack-safety.js';

// A Debian package's file tree checked before it is extracted: dpkg-deb
// itself streams the data archive out (whatever its compression), and our
// reader lists it. With `copyTo` the stream is also kept, and the unpack
// task extracts that copy as `dpkg-deb -x` would (tar -xp), so the package
// is decompressed once. Package trees are rooted (see memberProblems):
// absolute symlinks are normal in them, writing through one is not.

export async function listDeb(path: string, opts: ListOptions = {}): Promise<Listing> {
  if (opts.copyTo) return listWhileWritten(opts.copyTo, toolInto('dpkg-deb', ['--fsys-tarfile', path], opts.copyTo), opts);
  const child = launch({ file: 'dpkg-deb', args: ['--fsys-tarfile', path], stdout: 'stream' });
  // No stdout: dpkg-deb did not start, which `finished` says below.
  const listing = child.stdout ? await listTarStream(child.stdout, opts) : { entries: [] };
  if ('unreadable' in listing || listing.overLimit) {
    child.kill();
    return listing;
  }
  const { exit, stderr } = await child.finished;
  if (exit.kind === 'not-found' || exit.kind === 'cannot-start') throw new Error(`cannot run dpkg-deb to read ${path}: ${describeExit(exit)}`);
  if (!succeeded(exit)) throw new Error(`dpkg-deb --fsys-tarfile ${path} failed: ${stderr.trim() || describeExit(exit)}`);
  return listing;
}

export async function debProblems(path: string, opts: Omit<MemberCheckOptions, 'rooted'> = {}): Promise<MemberProblem[]> {
  const listing = await listDeb(path);
  return 'unreadable' in listing ? [listing.unreadable] : memberProblems(listing.entries, { ...opts, rooted: true });
}
