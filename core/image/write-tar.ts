import { closeSync, openSync } from 'node:fs';
import { constants } from 'node:zlib';
import { gzipFile } from './gzip-file.js';
import { writeAtomically } from './atomic-output.js';
import { runTool } from './host-tool.js';
import { imageTree, type ImageEntry } from './image-tree.js';
import type { ImageWriter } from './image-writer.js';
import { tarStream } from './tar-stream.js';

// tar.gz and tar.zst: the tree as a pax archive (see tar-stream.ts).
// gzip: Node's zlib (gzip-file.ts), level 6 as gzip's own default.
// zstd: the zstd tool (Node 20's zlib has no zstd), single-threaded at its
// default level 3; zstd's output depends only on input, level and the
// thread setting, and it writes no name or time into the frame.

export class TarGzWriter implements ImageWriter {
  readonly type = 'tar.gz';
  async write(entries: readonly ImageEntry[], out: string, sourceDateEpoch: number): Promise<void> {
    const tree = imageTree(entries, sourceDateEpoch);
    await writeAtomically(out, (tmp) => gzipFile(tmp, constants.Z_DEFAULT_COMPRESSION, (pool) => tarStream(tree, { pack: { pool } })));
  }
}

export class TarZstWriter implements ImageWriter {
  readonly type = 'tar.zst';
  async write(entries: readonly ImageEntry[], out: string, sourceDateEpoch: number): Promise<void> {
    const tree = imageTree(entries, sourceDateEpoch);
    await writeAtomically(out, async (tmp) => {
      const fd = openSync(tmp, 'w');
      try {
        await runTool('zstd', ['-q', '-c', '-3', '-T1', '--no-progress'], {
          input: tarStream(tree, { pack: { reuse: true } }),
          blockingInput: true,
          stdoutFd: fd,
        });
      } finally {
        closeSync(fd);
      }
    });
  }
}
