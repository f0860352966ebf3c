import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

// A real HTTP server on 127.0.0.1 serving fixed bodies by path, counting
// requests, so tests can see what the code under test asked for.

export interface TestServer {
  readonly url: string;
  readonly hits: Map<string, number>;
  close(): Promise<void>;
}

export function serve(routes: Record<string, Buffer | string>): Promise<TestServer> {
  const hits = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const path = req.url ?? '/';
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const body = routes[path];
    if (body === undefined) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-length': Buffer.byteLength(body) }).end(body);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        hits,
        close: () => new Promise<void>((r) => server.close(() => r())),
      });
    });
  });
}
