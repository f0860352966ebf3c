import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadMachine } from '../../core/config/machine.js';
import { UserError } from '../../core/diagnostics/diagnostic.js';
import { extlinuxConf } from '../../core/image/disk/boot-partition.js';
import type { MachineDisk, MachinePartitionContent } from '../../core/config/machine-disk.js';
import type { DiskDescription, PartitionDescription } from '../../core/image/disk/disk-description.js';
import { scratchDirs, writeTree } from '../helpers/strata.js';

// `disk:` in a machine file: read with every value's line, and every
// mistake that needs no built file found when the machine is loaded, before
// anything is fetched or compiled, at the line that causes it.

const tempDir = scratchDirs(test);

function load(disk: string) {
  const dir = tempDir('strata-disk-machine-');
  writeTree(dir, { 'board.yaml': `arch: aarch64\ndisk:\n${disk}` });
  return loadMachine(`${dir}/board.yaml`);
}

function errors(disk: string): { code: string; line?: number; message: string }[] {
  try {
    load(disk);
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
    return e.diagnostics.map((d) => ({ code: d.code, line: d.location?.line, message: d.message }));
  }
  throw new Error('no error');
}

// One partition shape: a machine's disk is the writer's description with
// symbolic contents, so a field added to PartitionDescription is a field of
// the machine file's partitions too (checked by the compiler, both ways).
const _asDescription = (d: MachineDisk): Omit<DiskDescription<MachinePartitionContent>, 'name'> => d;
const _asMachinePartition = (p: PartitionDescription<MachinePartitionContent>): MachineDisk['partitions'][number] => p;
void [_asDescription, _asMachinePartition];

test('a disk is read with its partitions, contents and raw writes', () => {
  const m = load(
    [
      '  table: gpt',
      '  size: 64MiB',
      '  partitions:',
      '    - { label: spl, fs: none, type: 5B193300-FC78-40CD-8002-E86C45580B47, offset: 17K, size: 1MiB, content: { raw: u-boot-spl.bin } }',
      '    - { label: boot, fs: vfat, size: 16MiB, bootable: true, content: boot }',
      '    - { label: root, fs: ext4, size: fill, content: rootfs }',
      '  raw:',
      '    - { name: env, file: uboot.env, offset: 1536K }',
      '',
    ].join('\n'),
  );
  assert.equal(
    m.disk?.partitions.map((p) => [p.label, p.content, p.size]),
    [
      ['spl', { raw: 'u-boot-spl.bin' }, '1MiB'],
      ['boot', 'boot', '16MiB'],
      ['root', 'rootfs', 'fill'],
    ],
  );
  assert.equal(m.disk?.raw, [{ name: 'env', file: 'uboot.env', offset: '1536K' }]);
});

// Each: the disk: body, the code and the line of the machine file (disk: is line 2).
const BAD: [string, string, string, number][] = [
  [
    'partitions that cannot fit the disk, whatever the content',
    '  table: gpt\n  size: 32MiB\n  partitions:\n    - { label: boot, fs: vfat, size: 16MiB, content: boot }\n    - { label: root, fs: ext4, size: 20MiB, content: rootfs }\n',
    'disk-partition-too-big',
    7,
  ],
  [
    'raw writes at overlapping offsets',
    '  table: mbr\n  partitions:\n    - { label: root, fs: ext4, content: rootfs }\n  raw:\n    - { name: spl, file: spl.bin, offset: 8K }\n    - { name: env, file: env.bin, offset: 8K }\n',
    'disk-overlap',
    8,
  ],
  [
    'a raw write inside a partition at a fixed offset',
    '  table: gpt\n  partitions:\n    - { label: root, fs: ext4, offset: 1MiB, size: 8MiB, content: rootfs }\n  raw:\n    - { name: env, file: env.bin, offset: 2MiB }\n',
    'disk-overlap',
    7,
  ],
  ['an unknown partition type', '  table: gpt\n  partitions:\n    - { label: root, fs: ext4, type: lnux, content: rootfs }\n', 'disk-type', 5],
  ['fill on a disk without a size', '  table: gpt\n  partitions:\n    - { label: root, fs: ext4, size: fill, content: rootfs }\n', 'disk-fill', 5],
  ['a size that is not one', '  table: gpt\n  partitions:\n    - { label: root, fs: ext4, size: 12 parsecs, content: rootfs }\n', 'disk-size', 5],
  ['rootfs content on a partition without a file system', '  table: gpt\n  partitions:\n    - { label: root, fs: none, content: rootfs }\n', 'disk-content', 5],
  ['an unknown content', '  table: gpt\n  partitions:\n    - { label: root, fs: ext4, content: kernel }\n', 'disk-content', 5],
  ['an unknown table', '  table: apm\n  partitions:\n    - { label: root, fs: ext4, content: rootfs }\n', 'disk-table', 3],
  ['a partition key misspelt', '  table: gpt\n  partitions:\n    - { label: root, fs: ext4, contents: rootfs }\n', 'schema-unknown-key', 5],
];

for (const [what, disk, code, line] of BAD) {
  test(`bad disk: ${what} is ${code} at line ${line}`, () => {
    const found = errors(disk);
    assert.ok(
      found.some((d) => d.code === code && d.line === line),
      JSON.stringify(found),
    );
  });
}

test('extlinux.conf: one default label, the kernel, the board device tree when there is one, the command line', () => {
  const conf = extlinuxConf({ label: 'board', kernelName: 'Image', fdt: 'board.dtb', append: 'console=ttyS0 root=PARTUUID=x rootwait' });
  assert.match(conf, /^default board$/m);
  assert.match(conf, /^label board\n {4}kernel \/Image\n {4}fdt \/board.dtb\n {4}append console=ttyS0 root=PARTUUID=x rootwait\n$/m);
  assert.not.match(extlinuxConf({ label: 'b', kernelName: 'bzImage', append: '' }), 'fdt');
});

test.run();
