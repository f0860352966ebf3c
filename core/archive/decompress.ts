import { closeSync, createReadStream, openSync } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { launch } from '../exec/launch.js';
import { describeExit, succeeded } from '../exec/process-exit.js';

// An archive file's bytes after decompression, chosen by its name like
// `tar -xf` chooses. gzip is inflated in-process; bzip2, xz and zstd go
// through the host's own tools (the same ones `tar` uses to extract), so
// what we check is what tar will see.

const TOOLS: [RegExp, 'bzip2' | 'xz' | 'zstd'][] = [
  [/\.(tar\.bz2|tbz2|tbz)$/, 'bzip2'],
  [/\.(tar\.xz|txz)$/, 'xz'],
  [/\.(tar\.zst|tzst)$/, 'zstd'],
];

/** The tool that decompresses an archive named `name`: gzip (inflated in-process), bzip2, xz, zstd, or none for a plain tar. */
export function compressionTool(name: string): 'gzip' | 'bzip2' | 'xz' | 'zstd' | undefined {
  if (/\.(tar\.gz|tgz)$/.test(name)) return 'gzip';
  return TOOLS.find(([re]) => re.test(name))?.[1];
}

/** `name` picks the format when the file is under another name (a temporary one). */
export async function* decompressed(path: string, name = path): AsyncGenerator<Buffer> {
  const tool = compressionTool(name);
  if (tool === 'gzip') {
    const input = createReadStream(path, { highWaterMark: 1 << 20 });
    const gunzip = createGunzip({ chunkSize: 1 << 20 });
    // pipe() does not pass a read error on; without this a missing file would hang the reader.
    input.on('error', (e) => gunzip.destroy(e));
    yield* input.pipe(gunzip);
    return;
  }
  if (!tool) {
    yield* createReadStream(path, { highWaterMark: 1 << 20 });
    return;
  }
  yield* toolOutput(tool, ['-dc'], path);
}

/**
 * What `file args` writes to its standard output (its input the file
 * `stdinFrom`, when given), as it comes; after the last chunk, an error when
 * the tool could not run or failed. Stopping early kills the tool.
 */
export async function* toolOutput(file: string, args: string[], stdinFrom?: string): AsyncGenerator<Buffer> {
  const fd = stdinFrom === undefined ? undefined : openSync(stdinFrom, 'r');
  const child = launch({ file, args, stdin: fd ?? 'ignore', stdout: 'stream' });
  if (fd !== undefined) closeSync(fd); // the child holds its own copy
  try {
    if (child.stdout) yield* child.stdout;
    const { exit, stderr } = await child.finished;
    if (exit.kind === 'not-found' || exit.kind === 'cannot-start') throw new Error(`cannot run ${file}: ${describeExit(exit)}`);
    if (!succeeded(exit)) throw new Error(`${[file, ...args].join(' ')} failed: ${stderr.trim() || describeExit(exit)}`);
  } finally {
    // The reader may stop early (a bad member found): do not leave the tool running.
    child.kill();
  }
}
