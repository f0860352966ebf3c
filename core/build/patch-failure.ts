// What GNU patch says when a patch does not apply, read back from the patch
// task's log: which patch was being applied (the task script announces each
// one), which file it was patching, and which hunks failed where. The
// sentences matched are GNU patch 2.7's (src/patch.c: "Hunk #%d FAILED at
// %s", "can't find file to patch", "Reversed (or previously applied) patch
// detected", "malformed patch").

/** The line the patch script prints before each patch; the index maps it back to its source. */
export const patchMarker = (index: number, count: number, name: string): string => `strata: applying patch ${index + 1}/${count}: ${name}`;
const MARKER = /^strata: applying patch (\d+)\/\d+: (.*)$/;

export interface PatchFailure {
  /** 0-based index among the recipe's patches. */
  readonly index: number;
  readonly name: string;
  /** One line per problem: failed hunks with their file and line, or patch's own complaint. */
  readonly problems: readonly string[];
  /** Files patch saved rejected hunks to (relative to ${S}). */
  readonly rejects: readonly string[];
}

export function parsePatchFailure(log: string): PatchFailure | undefined {
  const lines = log.replace(/\r/g, '').split('\n');
  let start = -1;
  for (let i = lines.length - 1; i >= 0 && start < 0; i--) if (MARKER.test(lines[i])) start = i;
  if (start < 0) return undefined;
  const [, index, name] = MARKER.exec(lines[start])!;
  const problems: string[] = [];
  const rejects: string[] = [];
  let file: string | undefined;
  let missing = -1;
  for (const line of lines.slice(start + 1)) {
    let m: RegExpExecArray | null;
    if ((m = /^(?:patching|checking) file (.+)$/.exec(line))) file = m[1].replace(/^'(.*)'$/, '$1');
    else if ((m = /^Hunk #(\d+) FAILED at (\d+)(?: \((.+)\))?\.$/.exec(line))) problems.push(`hunk #${m[1]} of ${file ?? '(unknown file)'} failed at line ${m[2]}${m[3] ? ` (${m[3]})` : ''}`);
    else if ((m = /^can't find file to patch at input line (\d+)$/.exec(line))) {
      problems.push(`the file to patch (named at line ${m[1]} of the patch) does not exist`);
      missing = problems.length - 1;
    } else if (missing >= 0 && (m = /^\|\+\+\+ (\S+)/.exec(line))) {
      problems[missing] = `${m[1]} (named at line ${/line (\d+)/.exec(problems[missing])![1]} of the patch) does not exist; check the path and the -p1 strip level`;
      missing = -1;
    }
    else if (/^Reversed \(or previously applied\) patch detected!/.test(line)) problems.push(`${file ?? 'a file'} already has this change (the patch looks applied, or reversed)`);
    else if ((m = /^patch: \*\*\*\* (.+)$/.exec(line))) problems.push(m[1]);
    if ((m = /saving rejects to file (.+)$/.exec(line))) rejects.push(m[1]);
  }
  return { index: Number(index) - 1, name, problems: problems.length ? problems : ['patch failed; see the log'], rejects };
}
