import { launch } from '../exec/launch.js';
import { describeExit, succeeded } from '../exec/process-exit.js';
import { tarEntries, TarFormatError, type TarEntry } from './tar-reader.js';
import { memberProblems, type Listing, type MemberCheckOptions, type MemberProblem } from './unpack-safety.js';

// A Debian package's file tree checked before `dpkg-deb -x` extracts it:
// dpkg-deb itself streams the data archive out (whatever its compression),
// and our reader lists it. Package trees are rooted (see memberProblems):
// absolute symlinks are normal in them, writing through one is not.

export async function listDeb(path: string): Promise<Listing> {
  const child = launch({ file: 'dpkg-deb', args: ['--fsys-tarfile', path], stdout: 'stream' });
  const entries: TarEntry[] = [];
  try {
    // No stdout: dpkg-deb did not start, which `finished` says below.
    if (child.stdout) for await (const e of tarEntries(child.stdout)) entries.push(e);
  } catch (e) {
    child.kill();
    if (!(e instanceof TarFormatError)) throw e;
    return { unreadable: { member: entries.length ? `after '${entries.at(-1)!.path}'` : '(first header)', reason: `cannot be read: ${e.message}` } };
  }
  const { exit, stderr } = await child.finished;
  if (exit.kind === 'not-found' || exit.kind === 'cannot-start') throw new Error(`cannot run dpkg-deb to read ${path}: ${describeExit(exit)}`);
  if (!succeeded(exit)) throw new Error(`dpkg-deb --fsys-tarfile ${path} failed: ${stderr.trim() || describeExit(exit)}`);
  return { entries };
}

export async function debProblems(path: string, opts: Omit<MemberCheckOptions, 'rooted'> = {}): Promise<MemberProblem[]> {
  const listing = await listDeb(path);
  return 'unreadable' in listing ? [listing.unreadable] : memberProblems(listing.entries, { ...opts, rooted: true });
}
