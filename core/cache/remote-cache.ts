import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { redactUrl } from '../diagnostics/redact.js';
import { commitTemp, tempPathFor } from '../fs/atomic-write.js';
import type { CachedOutputInfo, SaveRequest, TaskCache } from '../scheduler/task-cache.js';
import { getFile, getText, putFile } from '../fetch/transport/http-client.js';
import type { CacheObjectInfo, LocalCache } from './local-cache.js';

// A team's shared cache over HTTP(S): the same two files per object as the
// local cache (<sig[0..2]>/<sig>.json and .tar), read with GET and, when the
// project allows writing, stored with PUT (any WebDAV-style server, e.g.
// nginx with dav_methods PUT). Objects always pass through the local cache,
// which verifies them; the remote one is never trusted more than a mirror.
//
// A remote cache that is down or misbehaves never fails a build: the first
// problem is reported once as a warning, and the build goes on locally
// without asking it again.

export interface RemoteCacheSettings {
  readonly url: string;
  readonly write: boolean;
}

export class LayeredCache implements TaskCache {
  private down = false;
  private readonly base: string;

  constructor(
    private readonly local: LocalCache,
    private readonly remote: RemoteCacheSettings | undefined,
    private readonly warn: (message: string) => void = (m) => process.stderr.write(`warning: ${m}\n`),
  ) {
    this.base = remote ? remote.url.replace(/\/+$/, '') : '';
  }

  private url(signature: string, ext: 'json' | 'tar'): string {
    return `${this.base}/${signature.slice(0, 2)}/${signature}.${ext}`;
  }

  private give(e: unknown, doing: string): undefined {
    if (!this.down) this.warn(`remote cache ${redactUrl(this.base)}: ${doing} failed (${(e as Error).message}); going on with the local cache only`);
    this.down = true;
    return undefined;
  }

  private async remoteInfo(signature: string): Promise<CacheObjectInfo | undefined> {
    if (!this.remote || this.down) return undefined;
    try {
      const text = await getText(this.url(signature, 'json'));
      if (!text) return undefined;
      const info = JSON.parse(text) as CacheObjectInfo;
      return info.signature === signature ? info : undefined;
    } catch (e) {
      return this.give(e, 'reading');
    }
  }

  async lookup(signature: string): Promise<CachedOutputInfo | undefined> {
    const local = await this.local.lookup(signature);
    if (local) return local;
    const info = await this.remoteInfo(signature);
    return info && { output: info.output };
  }

  /** Downloads an object into the local cache, both files under temporary names first. */
  private async download(signature: string): Promise<boolean> {
    const info = await this.remoteInfo(signature);
    if (!info) return false;
    const { tar, json } = this.local.objectPaths(signature);
    await mkdir(dirname(tar), { recursive: true });
    const tmpTar = tempPathFor(tar);
    const tmpJson = tempPathFor(json);
    try {
      if (!(await getFile(this.url(signature, 'tar'), tmpTar))) return false;
      if (!(await getFile(this.url(signature, 'json'), tmpJson))) return false;
      await commitTemp(tmpTar, tar);
      await commitTemp(tmpJson, json);
      return true;
    } catch (e) {
      return this.give(e, 'downloading') ?? false;
    } finally {
      await rm(tmpTar, { force: true });
      await rm(tmpJson, { force: true });
    }
  }

  async restore(signature: string, paths: readonly string[]): Promise<CachedOutputInfo | undefined> {
    const local = await this.local.restore(signature, paths);
    if (local) return local;
    // The local restore verifies what came from the remote cache, and
    // discards it when it does not match.
    if (await this.download(signature)) return this.local.restore(signature, paths);
    return undefined;
  }

  async save(signature: string, request: SaveRequest): Promise<void> {
    await this.local.save(signature, request);
    if (!this.remote?.write || this.down) return;
    const { tar, json } = this.local.objectPaths(signature);
    if (!existsSync(tar) || !existsSync(json)) return;
    try {
      if (await getText(this.url(signature, 'json'))) return;
      // The tar first and the json last, as locally: a reader that sees the
      // json finds the tar.
      await putFile(this.url(signature, 'tar'), tar);
      await putFile(this.url(signature, 'json'), json);
    } catch (e) {
      this.give(e, 'storing');
    }
  }
}
