import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeMachineDisk } from '../../core/build/tasks/image-disk.js';
import { loadProject } from '../../core/config/project.js';
import { Configuration } from '../../core/resolve/configuration.js';
import { ext4Names, extractPartition, fatFile, fatPaths, fsckClean, partitionTable } from '../helpers/disk-inspect.js';
import { scratchDirs } from '../helpers/strata.js';
import { EPOCH, fixtureTree } from './image-fixture.js';

// The HiFive Unleashed's SD card, from the built-in machine file's `disk:`
// with stand-in boot files, read back the way the board and U-Boot read it
// (doc/board/sifive/unleashed.rst, include/configs/sifive-unleashed.h in
// U-Boot 2023.01): the mask ROM finds SPL by the "loader1" type GUID, SPL
// reads u-boot.itb from sector 2082 (0x822), U-Boot's distro boot the
// bootable FAT partition. tests/boards boots the real one in QEMU.

const tempDir = scratchDirs(test);
const LOADER1 = '5B193300-FC78-40CD-8002-E86C45580B47';
const LOADER2 = '2E54B353-1271-4842-806F-E436D6AF6985';

async function writeCard() {
  const dir = tempDir('strata-sdcard-');
  const machine = new Configuration(loadProject(dir, { machine: 'sifive-unleashed' })).machine;
  mkdirSync(join(dir, 'deploy'));
  const file = (name: string, bytes: Buffer) => {
    writeFileSync(join(dir, 'deploy', name), bytes);
    return join(dir, 'deploy', name);
  };
  const files = {
    spl: file('u-boot-spl.bin', Buffer.alloc(130_000, 'spl')),
    itb: file('u-boot.itb', Buffer.alloc(900_000, 'fit')),
    kernel: file('Image', Buffer.alloc(400_000, 'kernel')),
    dtb: file('hifive-unleashed-a00.dtb', Buffer.alloc(5000, 'dtb')),
  };
  const sd = join(dir, 'minimal-sifive-unleashed.disk.img');
  const root = await writeMachineDisk(
    {
      machine,
      disk: machine.disk!,
      imageName: 'minimal',
      kernel: files.kernel,
      bootFiles: new Map([
        ['u-boot-spl.bin', files.spl],
        ['u-boot.itb', files.itb],
      ]),
      devicetrees: [files.dtb],
      bootargs: 'console=ttySIF0 rootwait rw panic=-1',
    },
    fixtureTree(join(dir, 'tree')),
    sd,
    EPOCH,
  );
  return { dir, sd, root, files };
}

test('GPT: SPL and u-boot.itb by their SiFive type GUIDs at sectors 34 and 2082, then the bootable FAT and the ext4 root', async () => {
  const { sd, root, files } = await writeCard();
  // QEMU's SD card model takes only power-of-2 sizes.
  assert.is(statSync(sd).size, 64 << 20);
  const table = partitionTable(sd);
  assert.is(table.label, 'gpt');
  assert.equal(
    table.partitions.map((p) => [p.name, p.type]),
    [
      ['loader1', LOADER1],
      ['loader2', LOADER2],
      ['boot', 'EBD0A0A2-B9E5-4433-87C0-68B6B72699C7'],
      ['root', '0FC63DAF-8483-4772-8E79-3D69D8477DE4'],
    ],
  );
  const [loader1, loader2, boot, rootPart] = table.partitions;
  assert.equal([loader1.start, loader1.size, loader2.start, loader2.size], [34, 2048, 2082, 8192]);
  assert.ok(boot.start >= loader2.start + loader2.size && rootPart.start >= boot.start + boot.size, 'in order, apart');
  // `fill` ends at the last whole MiB (the alignment) before the backup GPT's 33 sectors.
  assert.is(rootPart.start + rootPart.size, 63 << 11, 'root fills the card');
  assert.is(boot.attrs, 'LegacyBIOSBootable');
  assert.is(root, `root=PARTUUID=${rootPart.uuid.toLowerCase()}`);
  const bytes = readFileSync(sd);
  for (const [p, f] of [
    [loader1, files.spl],
    [loader2, files.itb],
  ] as const) {
    const want = readFileSync(f);
    assert.ok(bytes.subarray(p.start * 512, p.start * 512 + want.length).equals(want), `${p.name} holds ${f}`);
  }
});

test('the boot partition has the kernel, the device tree and extlinux.conf; both file systems are clean', async () => {
  const { dir, sd, root, files } = await writeCard();
  const [, , boot, rootPart] = partitionTable(sd).partitions;
  const fat = extractPartition(sd, boot, dir);
  assert.equal(fatPaths(fat), ['/Image', '/extlinux/', '/extlinux/extlinux.conf', '/hifive-unleashed-a00.dtb']);
  const conf = fatFile(fat, '/extlinux/extlinux.conf').toString();
  assert.match(conf, /kernel \/Image\n {4}fdt \/hifive-unleashed-a00\.dtb\n/);
  assert.match(conf, `append console=ttySIF0 rootwait rw panic=-1 ${root}\n`);
  assert.ok(fatFile(fat, '/Image').equals(readFileSync(files.kernel)), 'the kernel, byte for byte');
  fsckClean(fat, 'vfat');
  const ext4 = extractPartition(sd, rootPart, dir);
  assert.equal(ext4Names(ext4, '/bin').sort(), ['hello', 'sh']);
  fsckClean(ext4, 'ext4');
});

test.run();
