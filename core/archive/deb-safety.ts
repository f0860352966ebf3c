import { spawn } from 'node:child_process';
import { tarEntries, TarFormatError, type TarEntry } from './tar-reader.js';
import { memberProblems, type Listing, type MemberCheckOptions, type MemberProblem } from './unpack-safety.js';

// A Debian package's file tree checked before `dpkg-deb -x` extracts it:
// dpkg-deb itself streams the data archive out (whatever its compression),
// and our reader lists it. Package trees are rooted (see memberProblems):
// absolute symlinks are normal in them, writing through one is not.

export async function listDeb(path: string): Promise<Listing> {
  const child = spawn('dpkg-deb', ['--fsys-tarfile', path], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', (e) => reject(new Error(`cannot run dpkg-deb to read ${path}: ${e.message}`)));
    child.on('close', resolve);
  });
  const entries: TarEntry[] = [];
  try {
    for await (const e of tarEntries(child.stdout)) entries.push(e);
  } catch (e) {
    child.kill();
    if (!(e instanceof TarFormatError)) throw e;
    return { unreadable: { member: entries.length ? `after '${entries.at(-1)!.path}'` : '(first header)', reason: `cannot be read: ${e.message}` } };
  }
  const code = await exited;
  if (code !== 0) throw new Error(`dpkg-deb --fsys-tarfile ${path} failed: ${stderr.trim() || `exit code ${code}`}`);
  return { entries };
}

export async function debProblems(path: string, opts: Omit<MemberCheckOptions, 'rooted'> = {}): Promise<MemberProblem[]> {
  const listing = await listDeb(path);
  return 'unreadable' in listing ? [listing.unreadable] : memberProblems(listing.entries, { ...opts, rooted: true });
}
