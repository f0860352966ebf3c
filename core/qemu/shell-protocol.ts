import type { Finder } from './console.js';

// How testimage talks to the guest's shell over a serial console, where the
// only signals are the text itself:
//
// - The prompt is recognised at the end of the last, unfinished line, so a
//   prompt-like string inside boot messages or command output does not count;
//   only a shell waiting for input leaves its prompt there.
// - A command is sent as `<command>; echo __STRATA_<n>_$?__`. The shell
//   expands `$?` to the command's exit status, so the output line
//   `__STRATA_3_0__` both ends the output and carries the status, while the
//   terminal's echo of the typed line still shows the literal `$?` and can
//   never be mistaken for it. The number n keeps a late marker from an
//   earlier command from ending a later one.
// - Everything between the echoed line and the marker is the output.

/** Finds `prompt` (a regular expression source) at the end of the unfinished last line. */
export function promptFinder(prompt: string): Finder {
  const atEnd = new RegExp(`(?:${prompt})$`);
  return (text) => {
    const lineStart = text.lastIndexOf('\n') + 1;
    const m = atEnd.exec(text.slice(lineStart));
    return m ? { start: lineStart + m.index, end: text.length, groups: [] } : undefined;
  };
}

const markerName = (n: number): string => `__STRATA_${n}_`;

/** The line typed into the guest shell for check number `n`. */
export function markedCommand(command: string, n: number): string {
  // After a trailing `&` or `;`, another `;` would be a syntax error.
  const separator = /[;&]\s*$/.test(command) ? ' ' : '; ';
  return `${command.trimEnd()}${separator}echo ${markerName(n)}$?__`;
}

/** Finds the expanded marker of check `n`; group 1 is the exit status. */
export function markerFinder(n: number): Finder {
  const re = new RegExp(`${markerName(n)}(\\d+)__`);
  return (text) => {
    const m = re.exec(text);
    return m ? { start: m.index, end: m.index + m[0].length, groups: [m[1]] } : undefined;
  };
}

/**
 * The command's own output, given the console text from just after the
 * prompt up to the expanded marker: drops the echoed command line (if the
 * terminal echoes) and the newline that precedes the marker.
 */
export function commandOutput(textBeforeMarker: string, n: number): string {
  const echoed = `${markerName(n)}$?__`;
  const at = textBeforeMarker.lastIndexOf(echoed);
  let output = textBeforeMarker;
  if (at >= 0) {
    const lineEnd = textBeforeMarker.indexOf('\n', at);
    output = lineEnd >= 0 ? textBeforeMarker.slice(lineEnd + 1) : '';
  }
  return output.endsWith('\n') ? output.slice(0, -1) : output;
}

/** Lines that say the guest kernel died, worth quoting in a failure reason. */
export function kernelPanicLine(lines: readonly string[]): string | undefined {
  return lines.find((l) => /Kernel panic - not syncing|Unable to handle kernel|Oops:/.test(l))?.trim();
}
