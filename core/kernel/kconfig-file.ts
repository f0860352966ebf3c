// Reading Kconfig files: configuration fragments (what a machine, distro or
// layer asks for) and the final `.config` (what the kernel's Kconfig kept).
// Both use the syntax scripts/kconfig writes (Documentation/kbuild/kconfig.rst):
//   CONFIG_FOO=y | m | 123 | 0x10 | "text"      an option with its value
//   # CONFIG_FOO is not set                      the option off ("n")
// Other `#` lines are comments; anything else is not Kconfig.

/** One option a fragment asks for, where it asks for it. */
export interface KconfigRequest {
  readonly option: string;
  /** The value as written after `=`, or `n` for `# CONFIG_FOO is not set`. */
  readonly value: string;
  readonly file: string;
  readonly line: number;
}

export interface FragmentSyntaxError {
  readonly file: string;
  readonly line: number;
  readonly text: string;
}

const SET = /^(CONFIG_[A-Za-z0-9_]+)=(.*)$/;
const UNSET = /^# (CONFIG_[A-Za-z0-9_]+) is not set$/;

/** The options a fragment sets, in order, and the lines that are not Kconfig. */
export function parseFragment(text: string, file: string): { requests: KconfigRequest[]; errors: FragmentSyntaxError[] } {
  const requests: KconfigRequest[] = [];
  const errors: FragmentSyntaxError[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    const set = SET.exec(line);
    const unset = UNSET.exec(line);
    if (set) requests.push({ option: set[1], value: set[2], file, line: i + 1 });
    else if (unset) requests.push({ option: unset[1], value: 'n', file, line: i + 1 });
    else if (line && !line.startsWith('#')) errors.push({ file, line: i + 1, text: raw });
  });
  return { requests, errors };
}

/** A `.config` as option → value (`n` for "is not set"); options it does not mention are absent. */
export function parseDotConfig(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const set = SET.exec(line);
    const unset = UNSET.exec(line);
    if (set) out.set(set[1], set[2]);
    else if (unset) out.set(unset[1], 'n');
  }
  return out;
}
