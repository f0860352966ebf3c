import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import type { BuildContext } from '../../core/build/context.js';
import { imageTask } from '../../core/build/tasks/image.js';
import { loadProject } from '../../core/config/project.js';
import { Session } from '../../core/session/session.js';
import { ROOT, scratchDirs, writeTree } from '../helpers/strata.js';

// The image task's inputs name the format of every writer of Strata's own
// that the image uses, as an image type or as a disk partition's file
// system. So when such a writer changes its bytes (and its format name),
// no image written by the old code is restored from the task cache. An
// image that uses none of them keeps the inputs it had before formats
// existed, so its cached images stay valid.

const tempDir = scratchDirs(test);

/** A project on the real core layer and machines, plus a BSP machine whose disk's root is squashfs. */
function project(): string {
  const dir = tempDir('strata-image-formats-');
  writeTree(dir, {
    'strata.yaml': `layers: [${join(ROOT, 'layers/core')}, bsp]\n`,
    'bsp/layer.yaml': 'name: bsp\n',
    'bsp/machines/ro-board.yaml': [
      'include: [machine/arm64, machine/qemu-common]',
      'providers: { virtual/kernel: linux }',
      'console: ttyAMA0',
      'qemu: { binary: qemu-system-aarch64, machine: virt, cpu: cortex-a53 }',
      'disk:',
      '  table: gpt',
      '  partitions:',
      '    - { label: boot, fs: vfat, bootable: true, content: boot }',
      '    - { label: root, fs: squashfs, content: rootfs }',
      '',
    ].join('\n'),
    'bsp/images/plain.yaml': 'name: plain\ninstall: [packagegroup-base]\ntypes: [tar.gz, cpio.gz]\n',
  });
  return dir;
}

type Inputs = { types: string[]; formats?: string[] };

/** The image task's inputs for `image` on `machine`, with the context's writers changed by `writers` if given. */
async function imageInputs(dir: string, image: string, machine: string, writers?: (ctx: BuildContext) => BuildContext['writers']): Promise<Inputs> {
  const session = new Session(loadProject(dir, { machine }), () => undefined);
  const node = [...session.plan(image).graph.nodes.values()].find((n) => n.key === `${image}:image`);
  assert.ok(node, `${image}:image is in the plan`);
  const context = (await session.services()).context;
  const ctx = writers ? { ...context, writers: writers(context) } : context;
  const inputs = await imageTask.inputs(node, ctx);
  assert.type(inputs, 'string');
  return JSON.parse(inputs as string) as Inputs;
}

/** The writers with squashfs's format renamed, as a change to its bytes would. */
const squashfsChanged = (ctx: BuildContext): BuildContext['writers'] =>
  ctx.writers.map((w) => (w.type === 'squashfs' ? { type: w.type, format: 'strata-squashfs-next', write: w.write.bind(w) } : w));

test('each case: the formats named, and whether a new squashfs writer changes the inputs', async () => {
  const dir = project();
  const table: { image: string; machine: string; formats: string[] | undefined; changes: boolean }[] = [
    // base declares squashfs among its types; qemuarm64's disk is vfat and ext4 (mke2fs, no format of ours).
    { image: 'base', machine: 'qemuarm64', formats: ['strata-squashfs-1'], changes: true },
    // No type of ours, but the disk's root partition is squashfs.
    { image: 'plain', machine: 'ro-board', formats: ['strata-squashfs-1'], changes: true },
    // Neither: no formats key at all, as before the key existed.
    { image: 'plain', machine: 'qemuarm64', formats: undefined, changes: false },
  ];
  for (const c of table) {
    const name = `${c.image} on ${c.machine}`;
    const before = await imageInputs(dir, c.image, c.machine);
    assert.equal(before.formats, c.formats, `${name}: formats`);
    assert.ok(!('formats' in before) || c.formats, `${name}: no empty formats key`);
    const after = await imageInputs(dir, c.image, c.machine, squashfsChanged);
    assert.is(JSON.stringify(after) !== JSON.stringify(before), c.changes, `${name}: a new squashfs format ${c.changes ? 'changes' : 'leaves'} the inputs`);
  }
});

test('the inputs are the same from one computation to the next', async () => {
  const dir = project();
  assert.equal(await imageInputs(dir, 'base', 'qemuarm64'), await imageInputs(dir, 'base', 'qemuarm64'));
});

test.run();
