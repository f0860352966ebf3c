// Version ordering, the one rule used to pick the highest version of a
// recipe and to check layer version constraints:
//
//  - a version is split into runs of digits and runs of other characters;
//  - runs are compared pairwise: two digit runs as numbers (1.10 > 1.9),
//    anything else as text;
//  - `~` sorts before everything, even the end of the version, so a
//    pre-release comes first: 1.0~rc1 < 1.0 < 1.0.1 (as in Debian);
//  - otherwise a version that runs out first is the lower one: 1.2 < 1.2.3.
export function compareVersions(a: string, b: string): number {
  const pa = a.match(/\d+|~|[^\d~]+/g) ?? [];
  const pb = b.match(/\d+|~|[^\d~]+/g) ?? [];
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i];
    const y = pb[i];
    if (x === y) continue;
    if (x === '~') return -1;
    if (y === '~') return 1;
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const nx = /^\d+$/.test(x);
    const ny = /^\d+$/.test(y);
    const c = nx && ny ? Number(x) - Number(y) : x < y ? -1 : x > y ? 1 : 0;
    if (c !== 0) return c < 0 ? -1 : 1;
  }
  return 0;
}

/** `1.35.%` or `1.35.*` style patterns. */
export function versionMatches(version: string, pattern: string): boolean {
  const re = new RegExp('^' + pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/[%*]/g, '.*') + '$');
  return re.test(version);
}
