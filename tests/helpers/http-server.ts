import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

// A real HTTP server on 127.0.0.1 serving fixed bodies by path, counting
// requests, so tests can see what the code under test asked for. A route
// may also be a handler, for servers that misbehave on purpose.

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

export interface TestServer {
  readonly url: string;
  readonly hits: Map<string, number>;
  /** Every request in arrival order, with its headers (to see Range). */
  readonly requests: { path: string; headers: IncomingHttpHeaders }[];
  close(): Promise<void>;
}

export function serve(routes: Record<string, Buffer | string | Handler>): Promise<TestServer> {
  const hits = new Map<string, number>();
  const requests: TestServer['requests'] = [];
  const server: Server = createServer((req, res) => {
    const path = req.url ?? '/';
    hits.set(path, (hits.get(path) ?? 0) + 1);
    requests.push({ path, headers: req.headers });
    const body = routes[path];
    if (body === undefined) {
      res.writeHead(404).end('not found');
      return;
    }
    if (typeof body === 'function') return body(req, res);
    res.writeHead(200, { 'content-length': Buffer.byteLength(body) }).end(body);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        hits,
        requests,
        close: () =>
          new Promise<void>((r) => {
            server.close(() => r());
            // Handlers that stall on purpose keep their connections open.
            server.closeAllConnections();
          }),
      });
    });
  });
}

/** Answers a `Range: bytes=N-` request with 206 and the rest of `body`, or with 200 and all of it. */
export function sendRange(req: IncomingMessage, res: ServerResponse, body: Buffer): void {
  const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
  if (!m) {
    res.writeHead(200, { 'content-length': body.length }).end(body);
    return;
  }
  const start = Number(m[1]);
  if (start >= body.length) {
    res.writeHead(416, { 'content-range': `bytes */${body.length}` }).end();
    return;
  }
  res.writeHead(206, { 'content-length': body.length - start, 'content-range': `bytes ${start}-${body.length - 1}/${body.length}` }).end(body.subarray(start));
}

/** Sends the headers for all of `body` but only its first `bytes`, then drops the connection. */
export function sendCutOff(res: ServerResponse, body: Buffer, bytes: number): void {
  res.writeHead(200, { 'content-length': body.length });
  res.write(body.subarray(0, bytes), () => res.socket?.destroy());
}
