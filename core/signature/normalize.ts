// Task signatures must not contain the absolute paths of one checkout or one
// build folder, or two build folders (two machines) could never share a
// task's output. Before hashing, each known root in a value is replaced by
// a placeholder naming it; the longest root first, so a build folder inside
// the project folder is matched as the build folder.

export type PathRoots = readonly (readonly [abs: string, placeholder: string])[];

export function pathRoots(roots: Record<string, string>): PathRoots {
  return Object.entries(roots)
    .map(([name, abs]) => [abs.replace(/\/+$/, ''), `\${${name}}`] as const)
    .filter(([abs]) => abs.length > 1)
    .sort((a, b) => b[0].length - a[0].length);
}

export function normalizePaths(value: string, roots: PathRoots): string {
  let out = value;
  for (const [abs, placeholder] of roots) if (out.includes(abs)) out = out.split(abs).join(placeholder);
  return out;
}
