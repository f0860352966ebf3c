import type { Readable, Writable } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';

// Feeding a child's standard input: bytes at once, or a stream chunk by
// chunk, waiting while the pipe is full, so a large input (an image's file
// tree into mke2fs) is never held in memory whole.

/** Bytes or a stream for a process's standard input. */
export type Input = Buffer | string | AsyncIterable<Buffer> | Iterable<Buffer> | Readable;

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

// Blocking writes (`blocking`): each chunk goes into the pipe as the child
// reads it, while this process waits, as `tar | zstd` does. The default
// (a full pipe is left to the event loop, the next chunk made on 'drain')
// hands a chunk on only once the child has read all of the one before, so
// a child that compresses and a generator that reads files take turns
// more than they work at once (bench/image.ts: tar.zst took about the sum
// of making the stream and compressing it). The event loop still gets a
// turn every TURN_MS; a turn after every chunk measured slower. Only for a
// child that prints little (a tool's errors): its output is not read while
// a write waits. setBlocking is the pipe handle's own method (net.Socket's
// `_handle`; Node calls it to make stdout blocking on Windows); without it
// the writes stay asynchronous, with the same bytes. Either way, with
// `blocking` each chunk is written out before the next one is asked for,
// so the input may fill the same buffers again (tar-stream.ts, `reuse`).
const TURN_MS = 50;
type Handle = { _handle?: { setBlocking?: (on: boolean) => number } };

/** Writes `input` to `stdin` and ends it; rejects when reading the input failed. */
export async function feedInput(stdin: Writable, input: Input, blocking = false): Promise<void> {
  stdin.on('error', () => {}); // the child may exit early; its exit code tells why
  if (typeof input === 'string' || Buffer.isBuffer(input)) {
    stdin.end(input);
    return;
  }
  if (blocking) (stdin as Handle)._handle?.setBlocking?.(true);
  let turn = performance.now();
  for await (const chunk of input as AsyncIterable<Buffer> | Iterable<Buffer>) {
    if (stdin.destroyed) break;
    if (!blocking) {
      if (!stdin.write(chunk)) await drained(stdin);
      continue;
    }
    // Written out before the next chunk is asked for (a blocking write returns once the pipe took it all).
    await new Promise<void>((done) => stdin.write(chunk, () => done()));
    if (performance.now() - turn > TURN_MS) {
      await nextTurn();
      turn = performance.now();
    }
  }
  stdin.end();
}

/**
 * Passes `source` on to whoever reads this, each chunk written to `stdin`
 * first (waiting while the pipe is full): the child and the reader get the
 * same bytes, read once, at the pace of the slower (unpack's tar extracting
 * the stream its lister checks, core/archive/extract-while-listing.ts). A
 * child that exits early is no longer fed; the reader still is. Ends
 * `stdin` after the last chunk; a reader that stops early closes it unended.
 */
export async function* feedWhileRead(stdin: Writable, source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  stdin.on('error', () => {}); // the child may exit early; its exit code tells why
  let whole = false;
  try {
    for await (const chunk of source) {
      if (!stdin.destroyed && !stdin.write(chunk)) await drained(stdin);
      yield chunk;
    }
    whole = true;
  } finally {
    if (whole) stdin.end();
    else stdin.destroy();
  }
}
