import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { DiskDescription, PartitionDescription } from '../../core/image/disk/disk-description.js';
import { diskDiagnostics, layoutDisk, parseSize } from '../../core/image/disk/disk-layout.js';

// Disk layout as pure arithmetic: placements, and every bad description
// turned into issues that name the partition and the field at fault.

const MiB = 1 << 20;
const boot: PartitionDescription = { label: 'boot', fs: 'vfat', size: '16MiB', bootable: true, content: { kind: 'files', files: [] } };
const root: PartitionDescription = { label: 'root', fs: 'ext4', content: { kind: 'rootfs' } };
const gpt = (partitions: PartitionDescription[], more: Partial<DiskDescription> = {}): DiskDescription => ({ table: 'gpt', partitions, ...more });

test('sizes: bytes, binary units, sectors; nonsense is undefined', () => {
  assert.equal(
    ['512', '64MiB', '64M', '8K', '1G', '4s', 4096].map((s) => parseSize(s)),
    [512, 64 * MiB, 64 * MiB, 8192, 1 << 30, 2048, 4096],
  );
  assert.equal(
    ['1.5G', '-1', 'ten', '3 parsecs'].map((s) => parseSize(s)),
    [undefined, undefined, undefined, undefined],
  );
});

test('GPT: partitions start on 1 MiB, sized by content or size, the last can fill; the disk leaves room for the backup GPT', () => {
  const r = layoutDisk(gpt([boot, { ...root, size: 'fill' }], { size: '128MiB' }), [3 * MiB, undefined], []);
  assert.ok(r.ok);
  if (!r.ok) return;
  assert.equal(
    r.value.partitions.map((p) => [p.label, p.start / MiB, p.size / MiB, p.bootable]),
    [
      ['boot', 1, 16, true],
      ['root', 17, 110, false],
    ],
  );
  assert.is(r.value.size, 128 * MiB);
  const auto = layoutDisk(gpt([boot, root]), [3 * MiB, 40 * MiB + 1], []);
  assert.ok(auto.ok && auto.value.partitions[1].size === 41 * MiB && auto.value.size === 59 * MiB, 'content rounded up to the alignment; disk rounded too');
});

test('MBR: types become bytes; fixed offsets are kept', () => {
  const r = layoutDisk(
    {
      table: 'mbr',
      partitions: [
        { ...boot, offset: '4MiB' },
        { ...root, type: '0x83' },
      ],
    },
    [MiB, MiB],
    [],
  );
  assert.ok(r.ok && r.value.partitions[0].start === 4 * MiB && r.value.partitions[0].type === 0x0c && r.value.partitions[1].type === 0x83);
});

const BAD: [string, DiskDescription, (number | undefined)[], number[], RegExp, { index?: number; field?: string; code: string }][] = [
  [
    'a partition that does not fit',
    gpt([boot, { ...root, size: '100MiB' }], { size: '64MiB' }),
    [MiB, MiB],
    [],
    /partition 'root' \(100 MiB at 17 MiB\) does not fit/,
    { index: 1, field: 'size', code: 'disk-partition-too-big' },
  ],
  [
    'content bigger than its partition',
    gpt([{ ...boot, size: '2MiB' }, root]),
    [3 * MiB, MiB],
    [],
    /partition 'boot' is 2 MiB but its content needs 3 MiB/,
    { index: 0, field: 'size', code: 'disk-content-too-big' },
  ],
  [
    'overlapping fixed offsets',
    gpt([
      { ...boot, offset: '1MiB' },
      { ...root, offset: '8MiB', size: '8MiB' },
    ]),
    [MiB, MiB],
    [],
    /partition 'boot' \(bytes 1048576–17825792\) overlaps partition 'root'/,
    { index: 1, field: 'offset', code: 'disk-overlap' },
  ],
  [
    'a raw write inside a partition',
    gpt([boot, root], { raw: [{ name: 'spl', file: 'x', offset: '2MiB' }] }),
    [MiB, MiB],
    [4096],
    /overlaps raw write 'spl'/,
    { index: 0, field: 'offset', code: 'disk-overlap' },
  ],
  [
    'a raw write over the GPT',
    gpt([boot, root], { raw: [{ name: 'spl', file: 'x', offset: '8K' }] }),
    [MiB, MiB],
    [4096],
    /raw write 'spl' .* overlaps the GPT partition table/,
    { index: 0, field: 'offset', code: 'disk-overlap' },
  ],
  [
    'a partition inside the table',
    gpt([{ ...boot, offset: '4K' }, root]),
    [MiB, MiB],
    [],
    /partition 'boot' starts at byte 4096, inside the partition table/,
    { index: 0, field: 'offset', code: 'disk-overlap' },
  ],
  [
    'fill without a disk size',
    gpt([boot, { ...root, size: 'fill' }]),
    [MiB, undefined],
    [],
    /partition 'root' fills the disk, so the disk needs a size/,
    { index: 1, field: 'size', code: 'disk-fill' },
  ],
  [
    'fill before the last',
    gpt([{ ...boot, size: 'fill' }, root], { size: '64MiB' }),
    [undefined, MiB],
    [],
    /only the last partition can fill/,
    { index: 0, field: 'size', code: 'disk-fill' },
  ],
  [
    'a duplicate label',
    gpt([boot, { ...root, label: 'boot' }]),
    [MiB, MiB],
    [],
    /partition 'boot' is listed twice \(partitions 1 and 2\)/,
    { index: 1, field: 'label', code: 'disk-label' },
  ],
  [
    'an unknown type',
    gpt([boot, { ...root, type: 'linux-ish' }]),
    [MiB, MiB],
    [],
    /partition 'root': type 'linux-ish' is not a known alias/,
    { index: 1, field: 'type', code: 'disk-type' },
  ],
  [
    'an MBR type given as a GUID',
    { table: 'mbr', partitions: [{ ...root, type: '0FC63DAF-8483-4772-8E79-3D69D8477DE4' }] },
    [MiB],
    [],
    /nor a byte such as 0x83/,
    { index: 0, field: 'type', code: 'disk-type' },
  ],
  [
    'five MBR partitions',
    { table: 'mbr', partitions: ['a', 'b', 'c', 'd', 'e'].map((l) => ({ ...root, label: l })) },
    [MiB, MiB, MiB, MiB, MiB],
    [],
    /4 primary partitions; this one lists 5/,
    { code: 'disk-mbr-limit', field: 'partitions' },
  ],
  [
    'a bad size',
    gpt([{ ...boot, size: 'big' }, root]),
    [MiB, MiB],
    [],
    /partition 'boot': size 'big' is not a size/,
    { index: 0, field: 'size', code: 'disk-size' },
  ],
  [
    'an odd offset',
    gpt([{ ...boot, offset: 1000 }, root]),
    [MiB, MiB],
    [],
    /offset '1000' must be a multiple of 512/,
    { index: 0, field: 'offset', code: 'disk-offset' },
  ],
  [
    'a FAT label too long',
    gpt([{ ...boot, label: 'boot-partition' }, root]),
    [MiB, MiB],
    [],
    /a FAT label holds 11 characters/,
    { index: 0, field: 'label', code: 'disk-label' },
  ],
  [
    'raw content on a file system',
    gpt([{ ...root, content: { kind: 'raw', file: 'x' } }]),
    [MiB],
    [],
    /raw content needs fs: none/,
    { index: 0, field: 'content', code: 'disk-content' },
  ],
  [
    'a file system without content',
    gpt([{ label: 'data', fs: 'ext4' }]),
    [undefined],
    [],
    /a ext4 partition needs content/,
    { index: 0, field: 'content', code: 'disk-content' },
  ],
];

for (const [name, d, sizes, raw, message, where] of BAD) {
  test(`refused: ${name}`, () => {
    const r = layoutDisk(d, sizes, raw);
    assert.not.ok(r.ok, 'refused');
    if (r.ok) return;
    const hit = r.error.find((i) => message.test(i.message));
    assert.ok(hit, `an issue matching ${message} among: ${r.error.map((i) => i.message).join(' | ')}`);
    assert.equal({ index: hit!.index, field: hit!.field, code: hit!.code }, { index: where.index, field: where.field, code: where.code });
  });
}

test('every issue is reported at once, and becomes a Diagnostic at the location the caller gives', () => {
  const r = layoutDisk(
    gpt([
      { ...boot, size: 'big' },
      { ...root, type: 'nope', size: 'fill' },
    ]),
    [MiB, undefined],
    [],
  );
  assert.not.ok(r.ok);
  if (r.ok) return;
  assert.is(r.error.length, 3);
  const diags = diskDiagnostics(r.error, (i) => ({ file: 'machines/board.yaml', line: 10 + (i.index ?? 0), column: 5 }));
  const sorted = (xs: [string, number | undefined][]) => xs.sort((a, b) => a[0].localeCompare(b[0]));
  assert.equal(sorted(diags.map((d) => [d.code, d.location?.line])), [
    ['disk-fill', 11],
    ['disk-size', 10],
    ['disk-type', 11],
  ]);
  assert.ok(diags.every((d) => d.severity === 'error' && d.location?.file === 'machines/board.yaml'));
});

test.run();
