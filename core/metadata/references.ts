// `${NAME}` references in metadata text, plus Strata's `$${NAME}`, a literal
// `${NAME}` left for the shell. A reference may nest (`${${NAME}}`,
// `${prefix_${SUFFIX}}`); the inner one is expanded first and its value
// names the variable, as in BitBake, whose expansion pattern matches the
// innermost `${…}` and repeats until nothing changes (lib/bb/data_smart.py,
// observed behaviour; the user manual does not describe nesting).

/** What a variable name looks like, once any nested reference is expanded. */
export const REFERENCE = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/** Index of the `}` that closes the `${` at `at` (nested `${…}` are skipped whole), or -1 when it is never closed. */
export function closingBrace(text: string, at: number): number {
  let depth = 0;
  let i = at + 2;
  for (;;) {
    const close = text.indexOf('}', i);
    if (close < 0) return -1;
    const open = text.indexOf('${', i);
    if (open >= 0 && open < close) {
      depth++;
      i = open + 2;
    } else if (depth === 0) return close;
    else {
      depth--;
      i = close + 1;
    }
  }
}

/** Calls `fn` with the text inside each `${…}` of `text`, outermost only, skipping `$${…}` literals. */
export function forEachReference(text: string, fn: (inner: string) => void): void {
  for (let at = text.indexOf('${'); at >= 0;) {
    const close = closingBrace(text, at);
    if (close < 0) return;
    if (!(at > 0 && text.charCodeAt(at - 1) === 36 /* $ */)) fn(text.slice(at + 2, close));
    at = text.indexOf('${', close + 1);
  }
}

/** Names written as plain `${NAME}` in text (not `$${…}` literals, not nested references, whose name depends on values). */
export function directReferences(text: string): string[] {
  const out: string[] = [];
  forEachReference(text, (inner) => {
    if (REFERENCE.test(inner)) out.push(inner);
  });
  return out;
}
