import { readFile, stat } from 'node:fs/promises';
import type { Sha256 } from '../../model/ids.js';
import { writeFileAtomically } from '../../fs/atomic-write.js';

// `<name>.sha256` beside a verified file of the download folder: its sum and
// the identity of the file it was computed for, so a later run can trust
// the sum without reading the file again, and only while the file is the
// same one:
//
//   <sha256> <size> <inode> <mtime ns> <ctime ns>
//
// Size alone is not enough: other bytes of the same size written in place
// (or a file renamed over it) kept the old note true. Rewriting a file
// changes its mtime, replacing it changes its inode, and putting the mtime
// back (touch -d, utimes) changes its ctime, which no user can set
// (POSIX stat(2): ctime is updated by every write and metadata change). A
// note whose identity differs in anything, or an older two-field note, is
// ignored: the file is hashed again and, when right, a new note is written.

async function identity(path: string): Promise<string | undefined> {
  try {
    const st = await stat(path, { bigint: true });
    return st.isFile() ? `${st.size} ${st.ino} ${st.mtimeNs} ${st.ctimeNs}` : undefined;
  } catch {
    return undefined;
  }
}

/** The sum recorded for `path`, when the note describes the file as it is now. */
export async function notedSum(path: string): Promise<Sha256 | undefined> {
  let note: string;
  try {
    note = (await readFile(`${path}.sha256`, 'utf8')).trim();
  } catch {
    return undefined;
  }
  const at = note.indexOf(' ');
  if (at < 0) return undefined;
  const now = await identity(path);
  return now !== undefined && note.slice(at + 1) === now ? (note.slice(0, at) as Sha256) : undefined;
}

/** Records that `path` (as it is now) has `sha256`; written to a temp name and renamed. */
export async function writeNote(path: string, sha256: Sha256): Promise<void> {
  const id = await identity(path);
  if (id === undefined) return;
  await writeFileAtomically(`${path}.sha256`, `${sha256} ${id}\n`);
}
