import { gzipSync, gunzipSync } from 'node:zlib';
import { arArchive, readAr } from '../archive/ar.js';
import { tarArchive, type TarMember } from '../archive/tar-writer.js';
import { controlFields, formatControl } from './control.js';
import type { PackageData, PackageFile } from './pkgdata.js';
import { accountsPreinst } from './preinst.js';

// An .ipk as opkg-build makes it and dpkg-deb reads it: an ar archive of
// `debian-binary` ("2.0"), `control.tar.gz` (./control, ./conffiles) and
// `data.tar.gz` (the files, rooted at "./"), in that order (deb(5)).
// Reproducible by construction: members sorted by path, one mtime
// (SOURCE_DATE_EPOCH) everywhere, owners from the package data (root
// unless declared), and gzip headers without name or time (Node's zlib
// writes mtime 0 and no name).

// zlib's default level: level 9 took seconds more on a kernel image for a few percent of size.
const gzip = (b: Buffer): Buffer => gzipSync(b, { level: 6 });

/** The tar path of an image path: "./usr/bin/app", "./usr/" for folders (as dpkg-deb writes them). */
const tarPath = (f: Pick<PackageFile, 'path' | 'type'>): string => `.${f.path}${f.type === 'dir' ? '/' : ''}`;

export function dataTar(files: readonly PackageFile[], content: (f: PackageFile) => Buffer, mtime: number): Buffer {
  const members: (TarMember & { data?: Buffer })[] = [{ path: './', type: 'dir', mode: 0o755, mtime }];
  for (const f of [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    members.push({
      path: tarPath(f),
      type: f.type,
      mode: f.mode,
      mtime,
      uid: f.uid,
      gid: f.gid,
      uname: f.owner,
      gname: f.group,
      linkname: f.type === 'symlink' ? f.target : undefined,
      data: f.type === 'file' ? content(f) : undefined,
    });
  }
  return tarArchive(members);
}

export function controlTar(p: Omit<PackageData, 'ipk'>, mtime: number): Buffer {
  const members: (TarMember & { data?: Buffer })[] = [
    { path: './', type: 'dir', mode: 0o755, mtime },
    { path: './control', type: 'file', mode: 0o644, mtime, data: Buffer.from(formatControl(controlFields(p))) },
  ];
  if (p.conffiles.length) members.push({ path: './conffiles', type: 'file', mode: 0o644, mtime, data: Buffer.from(p.conffiles.map((c) => `${c}\n`).join('')) });
  const preinst = accountsPreinst(p);
  if (preinst) members.push({ path: './preinst', type: 'file', mode: 0o755, mtime, data: Buffer.from(preinst) });
  return tarArchive(members);
}

/** The whole .ipk. `content` gives each file's bytes. */
export function ipkArchive(p: Omit<PackageData, 'ipk'>, content: (f: PackageFile) => Buffer, mtime: number): Buffer {
  return arArchive(
    [
      { name: 'debian-binary', data: Buffer.from('2.0\n') },
      { name: 'control.tar.gz', data: gzip(controlTar(p, mtime)) },
      { name: 'data.tar.gz', data: gzip(dataTar(p.files, content, mtime)) },
    ],
    mtime,
  );
}

export type IpkParts = { ok: true; control: Buffer; data: Buffer } | { ok: false; reason: string };

/** The control and data tar archives (decompressed) of an .ipk. */
export function ipkParts(ipk: Buffer): IpkParts {
  const ar = readAr(ipk);
  if (!ar.ok) return ar;
  const names = ar.members.map((m) => m.name);
  if (names[0] !== 'debian-binary' || !ar.members[0].data.toString().startsWith('2.'))
    return { ok: false, reason: `not an ipk (first members: ${names.join(', ')})` };
  const control = ar.members.find((m) => m.name === 'control.tar.gz');
  const data = ar.members.find((m) => m.name === 'data.tar.gz');
  if (!control || !data) return { ok: false, reason: `an ipk needs control.tar.gz and data.tar.gz (has ${names.join(', ')})` };
  try {
    return { ok: true, control: gunzipSync(control.data), data: gunzipSync(data.data) };
  } catch (e) {
    return { ok: false, reason: `cannot decompress: ${(e as Error).message}` };
  }
}
