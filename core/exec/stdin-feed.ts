import type { Readable, Writable } from 'node:stream';

// Feeding a child's standard input: bytes at once, or a stream chunk by
// chunk, waiting while the pipe is full, so a large input (an image's file
// tree into mke2fs) is never held in memory whole.

/** Bytes or a stream for a process's standard input. */
export type Input = Buffer | string | AsyncIterable<Buffer> | Readable;

/** Resolves when a full pipe can take more, or is gone (the child exited). */
function drained(stdin: Writable): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      stdin.off('drain', done);
      stdin.off('close', done);
      resolve();
    };
    stdin.on('drain', done);
    stdin.on('close', done);
  });
}

/** Writes `input` to `stdin` and ends it; rejects when reading the input failed. */
export async function feedInput(stdin: Writable, input: Input): Promise<void> {
  stdin.on('error', () => {}); // the child may exit early; its exit code tells why
  if (typeof input === 'string' || Buffer.isBuffer(input)) {
    stdin.end(input);
    return;
  }
  for await (const chunk of input as AsyncIterable<Buffer>) {
    if (stdin.destroyed) break;
    if (!stdin.write(chunk)) await drained(stdin);
  }
  stdin.end();
}
