import { existsSync } from 'node:fs';
import type { Image } from '../config/image.js';
import { diag, UserError } from '../diagnostics/diagnostic.js';
import { readQemuBoot, type QemuBoot } from '../qemu/qemuboot.js';
import type { Session } from '../session/session.js';
import { COMMON_OPTIONS, parse, sessionFrom } from './options.js';

// What runqemu and testimage share: find the image's qemuboot.json in the
// deploy folder, and say how to build it when it is not there.

export const BOOT_OPTIONS = { ...COMMON_OPTIONS, quiet: { type: 'boolean', short: 'q' } } as const;
export const RUNQEMU_OPTIONS = { ...BOOT_OPTIONS, 'ssh-port': { type: 'string' } } as const;

export async function loadBootTarget(
  argv: string[],
  usage: string,
  options: typeof BOOT_OPTIONS | typeof RUNQEMU_OPTIONS = BOOT_OPTIONS,
): Promise<{ boot: QemuBoot; image: Image; session: Session; quiet: boolean; sshPort?: string } | number> {
  const { values, positionals } = parse(argv, options, usage);
  if (values.help || positionals.length !== 1) {
    process.stdout.write(`usage: ${usage}\n`);
    return values.help ? 0 : 2;
  }
  const session = sessionFrom(values);
  const cfg = session.cfg;
  const image = cfg.image(positionals[0]);
  const file = session.layout.imageFile(image.name, '.qemuboot.json');
  if (!existsSync(file)) {
    throw new UserError(
      diag('image-not-built', `${file} does not exist`, undefined, { hint: `build the image first: strata build ${image.name} --machine ${cfg.machine.name}` }),
    );
  }
  const boot = await readQemuBoot(file);
  if (!boot.ok) throw new UserError(boot.error);
  return { boot: boot.value, image, session, quiet: Boolean(values.quiet), sshPort: (values as { 'ssh-port'?: string })['ssh-port'] };
}
