// Archive writers yield many small pieces (512-byte headers, padding);
// passed one by one to zlib or to a tool's pipe, each costs a call and a
// wake-up of its own. Gathering them into buffers of about 1 MiB makes
// the stream cost what its bytes cost (see bench/image.ts).

const TARGET = 1 << 20;

export async function* coalesce(pieces: AsyncIterable<Buffer> | Iterable<Buffer>, target = TARGET): AsyncGenerator<Buffer> {
  let held: Buffer[] = [];
  let size = 0;
  for await (const piece of pieces) {
    if (piece.length >= target && size === 0) {
      yield piece;
      continue;
    }
    held.push(piece);
    size += piece.length;
    if (size >= target) {
      yield Buffer.concat(held, size);
      held = [];
      size = 0;
    }
  }
  if (size) yield Buffer.concat(held, size);
}
