import { Observable, type OperatorFunction } from 'rxjs';

// A serial console speaks terminal: CR LF line ends, ANSI escape sequences
// from shells with line editing (busybox ash asks for the cursor position,
// redraws lines), the odd NUL. Matching prompts and command output wants
// plain text, so console output goes through these pure steps first.

// ECMA-48 sequences: CSI (ESC [ params intermediates final), OSC (ESC ] …
// BEL or ESC \), charset designators (ESC ( x, ESC ) x), and the two-byte
// escapes (ESC then one byte 0x30–0x7E, such as ESC = or ESC c).
const ESCAPE = /\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[()][\x20-\x7e]|[0-Z\\^_`-~])/g;
// The start of one of those sequences, cut off by the end of a read.
const UNFINISHED = /^\x1b(?:\[[0-?]*[ -/]*|\][^\x07\x1b]*\x1b?|[()])?$/;
// C0 controls other than TAB and LF, and DEL. CR goes too: a line that is
// redrawn in place ("\r~ # ") then reads as the text written last.
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f]/g;
// A sequence split across two reads is held back until its end arrives,
// but never more than this much, so a stray ESC cannot stall the stream.
const MAX_PENDING_ESCAPE = 64;

/** Incremental terminal-to-text conversion that copes with sequences split across chunks. */
export class TerminalText {
  private pending = '';

  /** Plain text for the next chunk of terminal output. */
  push(chunk: string): string {
    let text = this.pending + chunk;
    this.pending = '';
    const lastEsc = text.lastIndexOf('\x1b');
    if (lastEsc >= 0 && text.length - lastEsc < MAX_PENDING_ESCAPE) {
      const tail = text.slice(lastEsc);
      if (UNFINISHED.test(tail)) {
        // A sequence whose end is in the next chunk: wait for it.
        this.pending = tail;
        text = text.slice(0, lastEsc);
      }
    }
    return text.replace(ESCAPE, '').replace(CONTROL, '');
  }

  /** Whatever was held back, as text, at the end of the stream. */
  flush(): string {
    const rest = this.pending.replace(ESCAPE, '').replace(CONTROL, '');
    this.pending = '';
    return rest;
  }
}

/** One-shot form of TerminalText for a complete string. */
export function terminalToText(raw: string): string {
  const t = new TerminalText();
  return t.push(raw) + t.flush();
}

/** rxjs operator: raw terminal chunks in, plain text chunks out. */
export function toPlainText(): OperatorFunction<string, string> {
  return (source) =>
    new Observable<string>((subscriber) => {
      const decoder = new TerminalText();
      return source.subscribe({
        next: (chunk) => {
          const text = decoder.push(chunk);
          if (text) subscriber.next(text);
        },
        error: (e) => subscriber.error(e),
        complete: () => {
          const rest = decoder.flush();
          if (rest) subscriber.next(rest);
          subscriber.complete();
        },
      });
    });
}

// Lines are split the one way every process's output is (core/exec/line-splitter.ts).
export { splitLines } from '../exec/line-splitter.js';
