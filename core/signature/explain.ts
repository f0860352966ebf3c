import type { SignatureRecord } from './signature.js';

// Two signature records of one task, compared in words: what `strata why`
// prints. Each line names one thing that changed.

const show = (v: string, max = 120) => {
  const one = JSON.stringify(v);
  return one.length > max ? one.slice(0, max - 4) + '…"' : one;
};

function diffMap(
  kind: string,
  before: Readonly<Record<string, string>>,
  after: Readonly<Record<string, string>>,
  describe: (name: string, old: string, now: string) => string,
): string[] {
  const out: string[] = [];
  for (const name of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) {
    const old = before[name];
    const now = after[name];
    if (old === now) continue;
    if (old === undefined) out.push(`${kind} ${name} is new: ${show(now)}`);
    else if (now === undefined) out.push(`${kind} ${name} is no longer used (was ${show(old)})`);
    else out.push(describe(name, old, now));
  }
  return out;
}

export function explainChange(before: SignatureRecord, after: SignatureRecord): string[] {
  // A record from another task format may have other fields: the format is the change.
  if (before.format !== after.format) return [`it was built by a Strata with another task format (${before.format}; now ${after.format})`];
  const out: string[] = [];
  out.push(...diffMap('variable', before.vars, after.vars, (n, o, v) => `variable ${n} changed: ${show(o)} → ${show(v)}`));
  out.push(...diffMap('file', before.files, after.files, (n, o, v) => `file ${n} changed: sha256 ${o.slice(0, 12)}… → ${v.slice(0, 12)}…`));
  if (before.settings !== after.settings) out.push(`its settings changed: ${show(before.settings, 80)} → ${show(after.settings, 80)}`);
  out.push(...diffMap('dependency', before.deps, after.deps, (n) => `dependency ${n} changed`));
  return out;
}
