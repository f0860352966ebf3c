import { spawn } from 'node:child_process';
import { diag, UserError } from '../diagnostics/diagnostic.js';
import type { Readable, Writable } from 'node:stream';

// The file system tools (mke2fs, debugfs, mksquashfs, mkfs.vfat, mtools,
// zstd) run with a fixed environment: C locale and UTC (FAT stores local
// time), nothing of the caller's environment that could change their output.

/** A host tool that is missing or failed: the image task fails with its message (not a bug in Strata). */
export class HostToolError extends UserError {
  constructor(message: string) {
    super(diag('image-tool', message));
  }
}

export interface ToolRun {
  readonly env?: Record<string, string>;
  /** Bytes or a stream for the tool's standard input. */
  readonly input?: Buffer | string | AsyncIterable<Buffer> | Readable;
  /** A file descriptor for standard output (e.g. an open output file). */
  readonly stdoutFd?: number;
}

export interface ToolOutput {
  readonly stdout: string;
  readonly stderr: string;
}

/** Resolves when a full pipe can take more, or is gone (the tool exited). */
function drained(stdin: Writable): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      stdin.off('drain', done);
      stdin.off('close', done);
      resolve();
    };
    stdin.on('drain', done);
    stdin.on('close', done);
  });
}

export function runTool(tool: string, args: readonly string[], run: ToolRun = {}): Promise<ToolOutput> {
  return new Promise((resolve, reject) => {
    const child = spawn(tool, args, {
      env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C', TZ: 'UTC', ...run.env },
      stdio: [run.input === undefined ? 'ignore' : 'pipe', run.stdoutFd ?? 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    child.on('error', (e) => reject(new HostToolError(`cannot run ${tool}: ${e.message} (is its Debian package installed? see scripts/host-packages.txt)`)));
    child.on('close', (code, signal) => {
      if (code === 0) resolve({ stdout, stderr });
      else
        reject(
          new HostToolError(
            `${tool} ${args.join(' ')} failed (${signal ?? `exit code ${code}`}): ${(stderr || stdout).trim().split('\n').slice(-5).join('\n')}`,
          ),
        );
    });
    if (run.input !== undefined) {
      const stdin = child.stdin!;
      stdin.on('error', () => {}); // the tool may exit early; its exit code tells why
      if (typeof run.input === 'string' || Buffer.isBuffer(run.input)) stdin.end(run.input);
      else
        void (async () => {
          try {
            for await (const chunk of run.input as AsyncIterable<Buffer>) {
              if (stdin.destroyed) break;
              if (!stdin.write(chunk)) await drained(stdin);
            }
            stdin.end();
          } catch (e) {
            child.kill();
            reject(e);
          }
        })();
    }
  });
}
