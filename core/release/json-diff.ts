// Where two JSON values differ, as paths like `layers[0].contentSha256`:
// so a rebuild's manifest that does not match the signed one says what
// changed (a layer's content, a source, an image's sum) instead of only
// "the signature does not match".

export function jsonDiffPaths(a: unknown, b: unknown, limit = 10, at = ''): string[] {
  const out: string[] = [];
  const walk = (x: unknown, y: unknown, path: string) => {
    if (out.length >= limit) return;
    if (x === y) return;
    const bothArrays = Array.isArray(x) && Array.isArray(y);
    const bothObjects = !bothArrays && x !== null && y !== null && typeof x === 'object' && typeof y === 'object' && !Array.isArray(x) && !Array.isArray(y);
    if (bothArrays) {
      const [xa, ya] = [x as unknown[], y as unknown[]];
      for (let i = 0; i < Math.max(xa.length, ya.length); i++) walk(xa[i], ya[i], `${path}[${i}]`);
    } else if (bothObjects) {
      const [xo, yo] = [x as Record<string, unknown>, y as Record<string, unknown>];
      for (const k of [...new Set([...Object.keys(xo), ...Object.keys(yo)])].sort()) walk(xo[k], yo[k], path ? `${path}.${k}` : k);
    } else out.push(`${path || '(the whole file)'}: ${JSON.stringify(x) ?? 'absent'} → ${JSON.stringify(y) ?? 'absent'}`);
  };
  walk(a, b, at);
  return out;
}
