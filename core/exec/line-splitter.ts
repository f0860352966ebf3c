import { Observable, type OperatorFunction } from 'rxjs';

// Output arrives in chunks cut wherever a read ended, not at line ends: a
// line can span chunks and a chunk can hold many lines. Every place that
// wants lines of a process's output (task logs, the QEMU console) splits
// them here, the same way: on LF, the LF dropped, a last line without one
// given out when the output ends.

export class LineSplitter {
  private partial = '';

  /** The lines this chunk completes. */
  push(chunk: string): string[] {
    const parts = (this.partial + chunk).split('\n');
    this.partial = parts.pop()!;
    return parts;
  }

  /** The last line, when the output ended without a newline. */
  flush(): string[] {
    const rest = this.partial;
    this.partial = '';
    return rest ? [rest] : [];
  }
}

/**
 * rxjs operator: text chunks in, complete lines out (without the newline).
 * A last line without a newline is emitted when the source completes.
 */
export function splitLines(): OperatorFunction<string, string> {
  return (source) =>
    new Observable<string>((subscriber) => {
      const splitter = new LineSplitter();
      return source.subscribe({
        next: (chunk) => splitter.push(chunk).forEach((line) => subscriber.next(line)),
        error: (e) => subscriber.error(e),
        complete: () => {
          splitter.flush().forEach((line) => subscriber.next(line));
          subscriber.complete();
        },
      });
    });
}
