import { spawn } from 'node:child_process';
import { closeSync, createReadStream, openSync } from 'node:fs';
import { createGunzip } from 'node:zlib';

// An archive file's bytes after decompression, chosen by its name like
// `tar -xf` chooses. gzip is inflated in-process; bzip2, xz and zstd go
// through the host's own tools (the same ones `tar` uses to extract), so
// what we check is what tar will see.

const TOOLS: [RegExp, string][] = [
  [/\.(tar\.bz2|tbz2|tbz)$/, 'bzip2'],
  [/\.(tar\.xz|txz)$/, 'xz'],
  [/\.(tar\.zst|tzst)$/, 'zstd'],
];

/** `name` picks the format when the file is under another name (a temporary one). */
export async function* decompressed(path: string, name = path): AsyncGenerator<Buffer> {
  if (/\.(tar\.gz|tgz)$/.test(name)) {
    const input = createReadStream(path, { highWaterMark: 1 << 20 });
    const gunzip = createGunzip({ chunkSize: 1 << 20 });
    // pipe() does not pass a read error on; without this a missing file would hang the reader.
    input.on('error', (e) => gunzip.destroy(e));
    yield* input.pipe(gunzip);
    return;
  }
  const tool = TOOLS.find(([re]) => re.test(name))?.[1];
  if (!tool) {
    yield* createReadStream(path, { highWaterMark: 1 << 20 });
    return;
  }
  const fd = openSync(path, 'r');
  const child = spawn(tool, ['-dc'], { stdio: [fd, 'pipe', 'pipe'] });
  closeSync(fd); // the child holds its own copy
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', (e) => reject(new Error(`cannot run ${tool} to read ${path}: ${e.message}`)));
    child.on('close', resolve);
  });
  try {
    yield* child.stdout!;
    const code = await exited;
    if (code !== 0) throw new Error(`${tool} cannot read ${path}: ${stderr.trim() || `exit code ${code}`}`);
  } finally {
    // The reader may stop early (a bad member found): do not leave the tool running.
    if (child.exitCode === null) child.kill();
  }
}
