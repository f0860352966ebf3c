import type { SourceLocation } from '../diagnostics/diagnostic.js';

/**
 * Turns character offsets in `text` into 1-based line and column (columns
 * count UTF-16 units, as editors do for the BMP), by a binary search over
 * the line starts: the readers that get offsets from their parser (fast-yaml,
 * json) share it.
 */
export function offsetLocator(file: string, text: string): (offset: number) => SourceLocation {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return (offset: number): SourceLocation => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { file, line: lo + 1, column: offset - starts[lo] + 1 };
  };
}
