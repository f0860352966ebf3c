// Text from user files reaches the terminal inside diagnostics (a quoted
// source line, a value in a message). A file with binary garbage or escape
// sequences must not drive the terminal: control characters (C0 but tab and
// newline, DEL, C1) and bidirectional overrides, which can make text read
// differently from what it is, are shown as \xNN / \u{NNNN} escapes.

const UNSAFE = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;

export function printable(text: string): string {
  return text.replace(UNSAFE, (c) => {
    const code = c.codePointAt(0)!;
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
  });
}
