import { createReadStream, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, normalize } from 'node:path';

// The bench's file server, in its own process so serving does not compete
// with the fetcher for one event loop: serves a folder on 127.0.0.1 and
// prints its URL. Paths under /slow/ are answered after a pause, standing
// in for the round trip to a distant server, which is what parallel
// fetching hides. Usage: node loopback-server.js <folder> <pause-ms>

const [root, pause = '0'] = process.argv.slice(2);
const server = createServer((req, res) => {
  const slow = req.url!.startsWith('/slow/');
  const rel = normalize(decodeURIComponent(req.url!.slice(slow ? '/slow/'.length : 1)));
  const send = () => {
    const path = join(root, rel);
    let size: number;
    try {
      size = statSync(path).size;
    } catch {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-length': size });
    createReadStream(path, { highWaterMark: 1 << 20 }).pipe(res);
  };
  if (rel.startsWith('..')) res.writeHead(403).end();
  else if (slow) setTimeout(send, Number(pause));
  else send();
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
});
