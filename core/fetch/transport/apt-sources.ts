import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

// The Debian archive's base URLs, read from this machine's own apt
// configuration (never written into Strata): both one-line `deb URI suite`
// entries and deb822 `URIs:` fields count.

export function aptArchiveUris(etc = '/etc/apt'): string[] {
  const texts: string[] = [];
  const read = (p: string) => {
    try {
      texts.push(readFileSync(p, 'utf8'));
    } catch {
      /* missing file: nothing to read */
    }
  };
  read(join(etc, 'sources.list'));
  let parts: string[] = [];
  try {
    parts = readdirSync(join(etc, 'sources.list.d'));
  } catch {
    /* no folder */
  }
  for (const f of parts.sort()) if (f.endsWith('.list') || f.endsWith('.sources')) read(join(etc, 'sources.list.d', f));
  const uris: string[] = [];
  for (const text of texts) {
    for (const raw of text.split('\n')) {
      const line = raw.trim();
      const oneLine = /^deb(?:-src)?\s+(?:\[[^\]]*\]\s+)?(\S+)/.exec(line);
      const deb822 = /^URIs:\s*(.+)$/i.exec(line);
      if (oneLine) uris.push(oneLine[1]);
      if (deb822) uris.push(...deb822[1].split(/\s+/));
    }
  }
  return [...new Set(uris.filter((u) => /^https?:\/\//.test(u)).map((u) => u.replace(/\/$/, '')))];
}
