import { diag, UserError } from '../diagnostics/diagnostic.js';
import { runProcess, type Input } from '../exec/launch.js';
import { describeExit, succeeded } from '../exec/process-exit.js';

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
  readonly input?: Input;
  /** Feed `input` with blocking writes, the tool reading as it is made (see core/exec/stdin-feed.ts). */
  readonly blockingInput?: boolean;
  /** A file descriptor for standard output (e.g. an open output file). */
  readonly stdoutFd?: number;
  /** Standard output is not read (a tool that echoes what it does, its errors on stderr): `stdout` is then empty. */
  readonly ignoreStdout?: boolean;
}

export interface ToolOutput {
  readonly stdout: string;
  readonly stderr: string;
}

export async function runTool(tool: string, args: readonly string[], run: ToolRun = {}): Promise<ToolOutput> {
  const { exit, stdout, stderr } = await runProcess(tool, args, {
    env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C', TZ: 'UTC', ...run.env },
    input: run.input,
    blockingInput: run.blockingInput,
    stdout: run.stdoutFd ?? (run.ignoreStdout ? 'ignore' : 'pipe'),
  });
  if (succeeded(exit)) return { stdout: stdout.toString(), stderr };
  if (exit.kind === 'not-found' || exit.kind === 'cannot-start')
    throw new HostToolError(`cannot run ${tool}: ${describeExit(exit)} (is its Debian package installed? see scripts/host-packages.txt)`);
  throw new HostToolError(`${tool} ${args.join(' ')} failed (${describeExit(exit)}): ${(stderr || stdout.toString()).trim().split('\n').slice(-5).join('\n')}`);
}
