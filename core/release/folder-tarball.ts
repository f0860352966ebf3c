import { createWriteStream, lstatSync, readFileSync, readlinkSync } from 'node:fs';
import { createGzip } from 'node:zlib';
import { once } from 'node:events';
import fg from 'fast-glob';
import { padding, tarEnd, tarHeader } from '../archive/tar-writer.js';
import { writeAtomically } from '../fs/atomic-write.js';

// A folder as one deterministic .tar.gz: members sorted by path, under one
// top folder, with fixed owners (the writer's 0:0), one mtime
// (SOURCE_DATE_EPOCH) and modes reduced to 0644/0755; gzip without name or
// time in its header (node's zlib writes neither). Written under a
// temporary name and renamed.

export function writeFolderTarGz(folder: string, top: string, out: string, mtime: number): Promise<void> {
  return writeAtomically(out, (tmp) => writeTarGz(folder, top, tmp, mtime));
}

async function writeTarGz(folder: string, top: string, tmp: string, mtime: number): Promise<void> {
  const gz = createGzip({ level: 9 });
  const file = createWriteStream(tmp);
  gz.pipe(file);
  const write = async (b: Buffer) => {
    if (!gz.write(b)) await once(gz, 'drain');
  };
  const entries = fg.sync('**', { cwd: folder, dot: true, onlyFiles: false, markDirectories: false, followSymbolicLinks: false }).sort();
  await write(tarHeader({ path: `${top}/`, type: 'dir', mode: 0o755, mtime }));
  for (const rel of entries) {
    const abs = `${folder}/${rel}`;
    const st = lstatSync(abs);
    const path = `${top}/${rel}`;
    if (st.isDirectory()) await write(tarHeader({ path: `${path}/`, type: 'dir', mode: 0o755, mtime }));
    else if (st.isSymbolicLink()) await write(tarHeader({ path, type: 'symlink', mode: 0o777, mtime, linkname: readlinkSync(abs) }));
    else {
      const data = readFileSync(abs);
      await write(tarHeader({ path, type: 'file', mode: st.mode & 0o111 ? 0o755 : 0o644, mtime, size: data.length }));
      await write(data);
      await write(padding(data.length));
    }
  }
  await write(tarEnd());
  gz.end();
  await once(file, 'close');
}
