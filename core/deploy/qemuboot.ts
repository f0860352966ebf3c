// What `<image>-<machine>.qemuboot.json` holds: everything runqemu and
// testimage need to boot an image, written by deploy beside the files it
// names (paths are relative to the JSON file's folder), like Yocto's
// qemuboot.conf.

export interface QemuBootFile {
  readonly version: 1;
  readonly machine: string;
  readonly image: string;
  readonly qemu: {
    readonly binary: string;
    readonly machine: string;
    readonly cpu?: string;
    readonly memory: number;
    readonly smp: number;
    readonly extraArgs: readonly string[];
  };
  readonly kernel: string;
  readonly initrd?: string;
  readonly append: string;
  readonly console: string;
  /** The shell prompt testimage waits for, as a regular expression. */
  readonly prompt: string;
  readonly poweroff: string;
}
