// core/qemu: boot deployed images in QEMU over a pty, interactively
// (runqemu) or driven by checks (testimage).

export { escapeOptionValue, kernelCommandLine, qemuArgs, shellCommand } from './args.js';
export { findExecutable, resolveQemuBinary } from './binary.js';
export { checkName, checkProblem, judgeCheck, type CheckResult, type ImageCheck } from './check.js';
export { QemuConsole, regexFinder, type ConsoleOptions, type Expectation, type Finder, type QemuExit } from './console.js';
export { guardChild, killProcessGroup, type ChildGuard } from './guard.js';
export { splitLines, terminalToText, TerminalText, toPlainText } from './lines.js';
export { bootFiles, parseQemuBoot, QEMUBOOT_VERSION, readQemuBoot, type QemuBoot, type QemuDisk, type QemuSystem } from './qemuboot.js';
export { runQemuInteractive, type RunQemuOptions } from './runqemu.js';
export { testImage, type TestImageEvent, type TestImageOptions, type TestImageResult } from './testimage.js';
