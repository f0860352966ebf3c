import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, openSync, rmSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SourceFetcher } from '../core/fetch/orchestrator.js';
import { FileFetcher } from '../core/fetch/transport/file.js';
import { HttpFetcher } from '../core/fetch/transport/http.js';
import type { RemoteSource } from '../core/fetch/source.js';
import type { Sha256 } from '../core/model/ids.js';

// npm run bench:fetch [-- <size-MiB>] — throughput of fetch + verify of one
// large file (default 1 GiB) from a loopback HTTP server and from a mirror
// folder, beside `sha256sum` of the same file; then 32 small sources from a
// server that pauses before each answer, fetched one at a time and four at
// a time. Prints one JSON object. Everything lives in a temp folder that is
// removed at the end.

const sizeMiB = Number(process.argv[2] ?? 1024);
const SMALL = 32;
const SMALL_BYTES = 256 << 10;
const PAUSE_MS = 25;

const work = mkdtempSync(join(tmpdir(), 'strata-bench-fetch-'));
const here = dirname(fileURLToPath(import.meta.url));
const seconds = (t0: number) => (performance.now() - t0) / 1000;
const mbps = (bytes: number, s: number) => Math.round(bytes / 1e6 / s);

function fetcher(downloads: string, extra: { premirrors?: string[]; offline?: boolean; parallel?: number } = {}): SourceFetcher {
  return new SourceFetcher([new HttpFetcher(), new FileFetcher()], {
    downloads,
    premirrors: extra.premirrors ?? [],
    mirrors: [],
    offline: extra.offline ?? false,
    parallel: extra.parallel,
  });
}

const source = (url: string, sha256: string, name: string): RemoteSource => ({
  kind: 'remote',
  recipe: 'bench',
  url,
  sha256: sha256 as Sha256,
  name,
  unpack: false,
});

async function timed(f: SourceFetcher, sources: RemoteSource[]): Promise<number> {
  const t0 = performance.now();
  const failures = await f.fetchAll(sources);
  if (failures.length) throw new Error(failures.map((d) => `${d.message} ${d.hint ?? ''}`).join('\n'));
  return seconds(t0);
}

function startServer(root: string): Promise<{ url: string; stop: () => void }> {
  const child = spawn(process.execPath, [join(here, 'loopback-server.js'), root, String(PAUSE_MS)], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.stdout.once('data', (d) => resolve({ url: String(d).trim(), stop: () => child.kill() }));
    child.once('error', reject);
  });
}

let server: { url: string; stop: () => void } | undefined;
try {
  const files = join(work, 'files');
  mkdirSync(join(files, 'small'), { recursive: true });
  const big = join(files, 'big.bin');
  const fd = openSync(big, 'w');
  const block = randomBytes(1 << 20);
  for (let i = 0; i < sizeMiB; i++) {
    block.writeUInt32LE(i, 0); // no two blocks alike
    writeSync(fd, block);
  }
  closeSync(fd);
  const bytes = sizeMiB << 20;
  // Each figure starts with no writeback of an earlier step still going on;
  // the source file stays in the page cache for all three.
  const settle = () => spawnSync('sync');
  settle();

  const t0 = performance.now();
  const sum = spawnSync('sha256sum', [big], { encoding: 'utf8' }).stdout.split(' ')[0];
  const sha256sumS = seconds(t0);

  server = await startServer(files);
  const httpS = await timed(fetcher(join(work, 'dl-http')), [source(`${server.url}/big.bin`, sum, 'big.bin')]);
  rmSync(join(work, 'dl-http'), { recursive: true });
  settle();
  const mirrorS = await timed(fetcher(join(work, 'dl-mirror'), { premirrors: [files], offline: true }), [
    source('https://upstream.invalid/big.bin', sum, 'big.bin'),
  ]);
  rmSync(join(work, 'dl-mirror'), { recursive: true });
  settle();
  rmSync(big);

  const small: RemoteSource[] = [];
  for (let i = 0; i < SMALL; i++) {
    const name = `s${i}.tar.gz`;
    const body = randomBytes(SMALL_BYTES);
    const w = openSync(join(files, 'small', name), 'w');
    writeSync(w, body);
    closeSync(w);
    const s = spawnSync('sha256sum', [join(files, 'small', name)], { encoding: 'utf8' }).stdout.split(' ')[0];
    small.push(source(`${server.url}/slow/small/${name}`, s, name));
  }
  const parallel1S = await timed(fetcher(join(work, 'dl-p1'), { parallel: 1 }), small);
  const parallel4S = await timed(fetcher(join(work, 'dl-p4'), { parallel: 4 }), small);

  const shaMBps = mbps(bytes, sha256sumS);
  console.log(
    JSON.stringify(
      {
        file: { bytes, sha256: sum },
        sha256sum: { seconds: +sha256sumS.toFixed(2), MBps: shaMBps },
        http: { seconds: +httpS.toFixed(2), MBps: mbps(bytes, httpS), ratioToSha256sum: +(mbps(bytes, httpS) / shaMBps).toFixed(2) },
        mirrorFolder: { seconds: +mirrorS.toFixed(2), MBps: mbps(bytes, mirrorS), ratioToSha256sum: +(mbps(bytes, mirrorS) / shaMBps).toFixed(2) },
        smallSources: {
          count: SMALL,
          bytesEach: SMALL_BYTES,
          serverPauseMs: PAUSE_MS,
          parallel1: { seconds: +parallel1S.toFixed(2) },
          parallel4: { seconds: +parallel4S.toFixed(2) },
          speedup: +(parallel1S / parallel4S).toFixed(2),
        },
      },
      null,
      2,
    ),
  );
} finally {
  server?.stop();
  rmSync(work, { recursive: true, force: true });
}
