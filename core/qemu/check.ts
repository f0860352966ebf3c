import { CHECK_CHANNELS, type ImageCheck } from '../config/image.js';

// A check is one command run in the booted image and what its result must
// be: an entry of the `checks:` list of an image file (config's ImageCheck).

export type { ImageCheck } from '../config/image.js';

export type { CheckChannel } from '../config/image.js';
export { CHECK_CHANNELS };

export interface CheckResult {
  readonly name: string;
  readonly command: string;
  readonly passed: boolean;
  /** What the command printed (terminal controls removed, LF line ends). */
  readonly output: string;
  /** The command's exit status; undefined when it never finished. */
  readonly status?: number;
  /** Why it failed; undefined when it passed. */
  readonly reason?: string;
  readonly durationMs: number;
}

export const checkName = (check: ImageCheck): string => check.name ?? check.run;

/** Problems that make a check impossible to run, found before booting. */
export function checkProblem(check: ImageCheck): string | undefined {
  if (!check.run.trim()) return 'its command is empty';
  if (/[\r\n]/.test(check.run)) return 'its command spans several lines; testimage sends one line per check (join them with ;)';
  if (check.match !== undefined) {
    try {
      new RegExp(check.match, 'm');
    } catch (e) {
      return `its match is not a valid regular expression: ${(e as Error).message}`;
    }
  }
  if (check.via !== undefined && !CHECK_CHANNELS.includes(check.via)) return `its via "${String(check.via)}" is not one of ${CHECK_CHANNELS.join(', ')}`;
  if (check.status !== undefined && !(Number.isInteger(check.status) && check.status >= 0 && check.status <= 255)) {
    return `its status ${check.status} is not an exit status (0 to 255)`;
  }
  if (check.timeoutMs !== undefined && !(check.timeoutMs > 0)) return 'its timeout is not a positive number of seconds';
  return undefined;
}

/** Judges a finished command. Every unmet expectation is named, not just the first. */
export function judgeCheck(check: ImageCheck, output: string, status: number): { passed: boolean; reason?: string } {
  const reasons: string[] = [];
  const wanted = check.status ?? 0;
  if (status !== wanted) reasons.push(`exit status ${status}, expected ${wanted}`);
  if (check.expect !== undefined && !output.includes(check.expect)) {
    reasons.push(`output does not contain ${JSON.stringify(check.expect)}`);
  }
  if (check.match !== undefined && !new RegExp(check.match, 'm').test(output)) {
    reasons.push(`output does not match /${check.match}/`);
  }
  return reasons.length === 0 ? { passed: true } : { passed: false, reason: reasons.join('; ') };
}

/** The result of a check that never ran, e.g. because the image did not boot. */
export function notRun(check: ImageCheck, reason: string): CheckResult {
  return { name: checkName(check), command: check.run, passed: false, output: '', reason, durationMs: 0 };
}
