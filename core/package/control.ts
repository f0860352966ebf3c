import type { PackageData } from './pkgdata.js';

// Control paragraphs: the `control` file inside a package and each entry of
// a feed's `Packages` index share one syntax (deb-control(5), which opkg
// reads too): "Field: value" lines, continuation lines start with a space,
// paragraphs are separated by a blank line.

/** Debian policy 5.6.1: lower case letters, digits, + - . ; at least two characters, starting alphanumeric. */
export const PACKAGE_NAME = /^[a-z0-9][a-z0-9+.-]+$/;
/** deb-version(7), loosely: no spaces, no commas, starts with a digit. */
export const PACKAGE_VERSION = /^[0-9][A-Za-z0-9.+~:-]*$/;

export type ControlFields = readonly (readonly [string, string | undefined])[];

/** The fields of a package's control file, in the order dpkg and opkg print them. */
export function controlFields(p: Omit<PackageData, 'ipk'>): ControlFields {
  return [
    ['Package', p.name],
    ['Version', p.version],
    ['Architecture', p.arch],
    ['Maintainer', p.maintainer],
    ['Depends', p.depends.length ? p.depends.join(', ') : undefined],
    ['Source', p.recipe],
    ['License', p.license],
    ['Homepage', p.homepage],
    ['Installed-Size', String(Math.ceil(p.files.reduce((n, f) => n + (f.size ?? 0), 0) / 1024))],
    ['Description', p.summary || p.name],
  ];
}

export function formatControl(fields: ControlFields): string {
  return (
    fields
      .filter(([, v]) => v !== undefined && v !== '')
      .map(([k, v]) => {
        // A value's later lines are continuation lines; an empty one is " .".
        const [first, ...rest] = v!.split('\n');
        return [`${k}: ${first}`, ...rest.map((l) => (l.trim() ? ` ${l}` : ' .'))].join('\n');
      })
      .join('\n') + '\n'
  );
}

/** Paragraphs of a control file or index, each a map of field → value (continuations joined by "\n"). */
export function parseControl(text: string): Map<string, string>[] {
  const out: Map<string, string>[] = [];
  let cur: Map<string, string> | undefined;
  let last: string | undefined;
  for (const line of text.split('\n')) {
    if (!line.trim()) {
      if (cur?.size) out.push(cur);
      cur = undefined;
      continue;
    }
    cur ??= new Map();
    if (/^[ \t]/.test(line) && last) cur.set(last, `${cur.get(last)}\n${line.slice(1)}`);
    else {
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      last = line.slice(0, colon);
      cur.set(last, line.slice(colon + 1).trim());
    }
  }
  if (cur?.size) out.push(cur);
  return out;
}
