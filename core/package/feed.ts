import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync, constants } from 'node:zlib';
import { tarEntries } from '../archive/tar-reader.js';
import { deployText } from '../deploy/deploy.js';
import { formatControl, parseControl } from './control.js';
import { ipkParts } from './ipk.js';

// A package feed as opkg reads it: `build/deploy/ipk/<arch>/` (BuildLayout.feedDir) holds the
// .ipk files and a `Packages` index (plus `Packages.gz`), one control
// paragraph per package with Filename, Size and SHA256sum added. The index
// is made from the .ipk files in the folder alone, sorted by package name
// and version, so the same files always give the same index.

/** The control file of an .ipk, as text. */
export async function ipkControl(ipk: Buffer): Promise<string> {
  const parts = ipkParts(ipk);
  if (!parts.ok) throw new Error(parts.reason);
  for await (const e of tarEntries(
    (async function* () {
      yield parts.control;
    })(),
    (m) => m.path === './control' || m.path === 'control',
  )) {
    if (e.data) return e.data.toString('utf8');
  }
  throw new Error('control.tar.gz has no ./control');
}

/** Field order of an index paragraph: the control fields, with the file's own before Description. */
const FILE_FIELDS = ['Filename', 'Size', 'SHA256sum'];

export async function feedIndex(dir: string): Promise<string> {
  const files = existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith('.ipk'))
        .sort()
    : [];
  const entries: { name: string; version: string; text: string }[] = [];
  for (const file of files) {
    const ipk = readFileSync(join(dir, file));
    const [control] = parseControl(await ipkControl(ipk));
    if (!control) throw new Error(`${join(dir, file)}: empty control file`);
    const fields = [...control].filter(([k]) => k !== 'Description' && !FILE_FIELDS.includes(k));
    fields.push(['Filename', file], ['Size', String(ipk.length)], ['SHA256sum', createHash('sha256').update(ipk).digest('hex')]);
    if (control.has('Description')) fields.push(['Description', control.get('Description')!]);
    entries.push({ name: control.get('Package') ?? file, version: control.get('Version') ?? '', text: formatControl(fields) });
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.version < b.version ? -1 : a.version > b.version ? 1 : 0));
  return entries.map((e) => e.text).join('\n');
}

// Package tasks of one build run side by side in this process: each folder's
// index is rewritten by one writer at a time.
const writing = new Map<string, Promise<void>>();

/** Rewrites `Packages` and `Packages.gz` of a feed folder, each atomically. */
export function writeFeedIndex(dir: string): Promise<void> {
  const run = async () => {
    const text = await feedIndex(dir);
    await deployText(text, dir, 'Packages');
    await deployText(gzipSync(Buffer.from(text), { level: constants.Z_BEST_COMPRESSION }), dir, 'Packages.gz');
  };
  const next = (writing.get(dir) ?? Promise.resolve()).then(run, run);
  writing.set(dir, next);
  return next;
}
