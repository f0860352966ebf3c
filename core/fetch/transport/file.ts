import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { BodySink, OnProgress } from './http.js';

// Copying a file from a mirror folder into a partial file: streamed through
// the same sink as an HTTP body, so it is hashed as it is copied and
// verified without reading it a second time. A copy always starts at byte
// 0; resuming a local copy would save little and prove nothing.

export async function copyInto(path: string, sink: BodySink, onProgress: OnProgress = () => {}): Promise<void> {
  if (sink.bytes > 0) await sink.restart();
  const total = (await stat(path)).size;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    await sink.write(chunk as Buffer);
    onProgress(sink.bytes, total);
  }
}
