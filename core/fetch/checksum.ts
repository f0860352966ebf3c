import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { Sha256 } from '../model/ids.js';

export function sha256File(path: string): Promise<Sha256> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(path, { highWaterMark: 1 << 20 })
      .on('data', (c) => h.update(c))
      .on('error', reject)
      .on('end', () => resolve(h.digest('hex') as Sha256));
  });
}
