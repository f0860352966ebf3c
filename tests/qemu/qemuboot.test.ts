import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Diagnostic } from '../../core/diagnostics/diagnostic.js';
import { formatDiagnostic } from '../../core/diagnostics/printer.js';
import { bootFiles, parseQemuBoot, readQemuBoot } from '../../core/qemu/qemuboot.js';

const FILE = '/deploy/minimal-qemuarm64.qemuboot.json';
const good = {
  machine: 'qemuarm64',
  image: 'minimal',
  qemu: { binary: 'qemu-system-aarch64', machine: 'virt', cpu: 'cortex-a53', memory: 1024, smp: 1, extraArgs: [] },
  kernel: 'Image-qemuarm64.bin',
  initrd: 'minimal-qemuarm64.cpio.gz',
  append: 'console=ttyAMA0 rdinit=/sbin/init',
  console: 'ttyAMA0',
  prompt: '~ # ',
  poweroff: 'poweroff -f',
};
const json = (v: unknown): string => JSON.stringify(v, null, 2) + '\n';

function errors(text: string): Diagnostic[] {
  const r = parseQemuBoot(text, FILE);
  if (r.ok) assert.unreachable('expected the file to be rejected');
  return (r as { error: Diagnostic[] }).error;
}

test('a valid file, with defaults for what it leaves out', () => {
  const r = parseQemuBoot(json({ ...good, qemu: { binary: 'qemu-system-aarch64', machine: 'virt' }, poweroff: undefined, append: undefined }), FILE);
  assert.ok(r.ok);
  if (!r.ok) return;
  assert.is(r.value.file, FILE);
  assert.is(r.value.dir, '/deploy');
  assert.equal(r.value.qemu, { binary: 'qemu-system-aarch64', machine: 'virt', cpu: undefined, memory: 512, smp: 1, extraArgs: [] });
  assert.is(r.value.poweroff, 'poweroff -f');
  assert.is(r.value.append, '');
  assert.is(r.value.network, 'none');
  assert.equal(r.value.disks, []);
});

test('paths in the file are relative to its folder', () => {
  const r = parseQemuBoot(json({ ...good, disks: [{ file: 'rootfs.ext4' }], dtb: '/abs/board.dtb' }), FILE);
  assert.ok(r.ok);
  if (!r.ok) return;
  assert.equal(bootFiles(r.value), [
    { pointer: '/kernel', path: '/deploy/Image-qemuarm64.bin' },
    { pointer: '/initrd', path: '/deploy/minimal-qemuarm64.cpio.gz' },
    { pointer: '/dtb', path: '/abs/board.dtb' },
    { pointer: '/disks/0/file', path: '/deploy/rootfs.ext4' },
  ]);
  assert.equal(r.value.disks, [{ file: 'rootfs.ext4', format: 'raw' }]);
});

test('invalid JSON: the position becomes line and column', () => {
  const [d] = errors('{\n  "machine": "qemuarm64",\n  "image": minimal\n}\n');
  assert.is(d.code, 'json-syntax');
  assert.equal(d.location, { file: FILE, line: 3, column: 12 });
});

test('every missing required field is reported at once, naming file and field', () => {
  const ds = errors(json({ machine: 'qemuarm64', qemu: { binary: 'qemu-system-aarch64' } }));
  const messages = ds.map((d) => d.message);
  for (const [where, key] of [
    ['qemuboot', 'image'],
    ['qemuboot', 'kernel'],
    ['qemuboot', 'prompt'],
    ['qemuboot qemu', 'machine'],
  ]) {
    assert.ok(messages.includes(`${where}: missing required key '${key}'`), `missing ${key}: ${messages.join(' | ')}`);
  }
  assert.is(ds.length, 4);
  for (const d of ds) assert.is(d.code, 'schema-missing-key');
  for (const d of ds) assert.is(d.location?.file, FILE);
  // A missing member points at the object that lacks it.
  assert.equal(ds.find((d) => d.message.startsWith('qemuboot qemu:'))!.location, { file: FILE, line: 3, column: 11 });
});

test('wrong types name the field, what it must be, and where it is', () => {
  const text = json({ ...good, qemu: { ...good.qemu, memory: '1G', extraArgs: ['-s', 5] }, network: 'tap' });
  const ds = errors(text);
  assert.is(ds.length, 3);
  const memory = ds.find((d) => d.message.includes('qemu memory'))!;
  assert.is(memory.message, 'qemuboot qemu memory: expected a whole number of at least 1, found string "1G"');
  // Wrong values are pointed at where the value is written.
  assert.equal(memory.location, { file: FILE, line: 8, column: 15 });
  assert.match(formatDiagnostic(memory), `${FILE}:8:15: error[schema-type]`);
  assert.ok(ds.some((d) => d.message === 'qemuboot qemu extraArgs[1]: expected a string, found number 5'));
  const network = ds.find((d) => d.message.includes('network'))!;
  assert.is(network.message, 'qemuboot network: expected one of none, user, found string "tap"');
  assert.is(network.code, 'schema-value');
});

test('bootTimeout is whole seconds, at least 1, reported where it is written', () => {
  const ok = parseQemuBoot(json({ ...good, bootTimeout: 900 }), FILE);
  assert.ok(ok.ok && ok.value.bootTimeout === 900);
  const absent = parseQemuBoot(json(good), FILE);
  assert.ok(absent.ok && absent.value.bootTimeout === undefined, 'absent: testimage chooses');
  for (const [bad, what] of [
    ['soon', 'string "soon"'],
    [0, '0'],
    [1.5, '1.5'],
  ] as const) {
    const [d] = errors(json({ ...good, bootTimeout: bad }));
    assert.is(d.message, `qemuboot bootTimeout: expected a whole number of at least 1, found ${what}`);
    assert.equal(d.location, { file: FILE, line: 18, column: 18 });
  }
});

test('unknown fields are errors with a did-you-mean', () => {
  const { prompt, ...rest } = good;
  const ds = errors(json({ ...rest, promt: prompt }));
  const unknown = ds.find((d) => d.code === 'schema-unknown-key')!;
  assert.is(unknown.message, "qemuboot: unknown key 'promt'");
  assert.is(unknown.hint, "did you mean 'prompt'?");
  assert.ok(ds.some((d) => d.message === "qemuboot: missing required key 'prompt'"));
  // The machine file's old name for extraArgs.
  const old = errors(json({ ...good, qemu: { ...good.qemu, args: [] } }))[0];
  assert.is(old.hint, "'args' is now called 'extraArgs'");
});

test('prompt must be a valid regular expression, reported with the other problems', () => {
  const ds = errors(json({ ...good, prompt: '(root', kernel: '' }));
  assert.equal(
    ds.map((d) => d.message.replace(/: Invalid.*/, '')),
    ['qemuboot kernel: expected a non-empty string', 'qemuboot prompt is not a valid regular expression'],
  );
});

test('a version this Strata does not know is the one problem reported', () => {
  for (const version of [2, 0, '1', 1.5]) {
    const ds = errors(json({ ...good, version, promt: 'x' }));
    assert.is(ds.length, 1, String(version));
    assert.is(ds[0].code, 'format-version');
    assert.match(ds[0].message, `this qemuboot file is written in format ${JSON.stringify(version)}, but this Strata reads format 1`);
    assert.match(ds[0].hint!, 'rebuild the image');
  }
  assert.ok(parseQemuBoot(json({ ...good, version: 1 }), FILE).ok);
});

test('a prompt with "$" before its end can never match and is rejected', () => {
  const [d] = errors(json({ ...good, prompt: '$ ' }));
  assert.match(d.message, 'qemuboot prompt has a "$" before its end');
  assert.is(d.hint, 'write \\\\$ in the JSON string for a literal dollar sign');
  assert.ok(parseQemuBoot(json({ ...good, prompt: '\\$ ' }), FILE).ok);
  assert.ok(parseQemuBoot(json({ ...good, prompt: '# $' }), FILE).ok);
});

test('a file that is not an object', () => {
  const [d] = errors('[1, 2]');
  assert.is(d.message, 'qemuboot: expected a map, found a list');
});

test('readQemuBoot: missing file, then missing kernel named by field and path', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'strata-qemuboot-'));
  try {
    const file = join(dir, 'minimal.qemuboot.json');
    let r = await readQemuBoot(file);
    assert.not.ok(r.ok);
    if (r.ok) return;
    assert.is(r.error[0].code, 'qemuboot-read');
    assert.is(r.error[0].location?.file, file);
    assert.match(r.error[0].hint!, 'strata build');

    writeFileSync(file, json(good));
    writeFileSync(join(dir, 'Image-qemuarm64.bin'), 'kernel');
    mkdirSync(join(dir, 'minimal-qemuarm64.cpio.gz')); // a folder is not a file
    r = await readQemuBoot(file);
    assert.not.ok(r.ok);
    if (r.ok) return;
    assert.is(r.error.length, 1);
    assert.is(r.error[0].code, 'qemuboot-missing-file');
    assert.is(r.error[0].message, `qemuboot field "initrd" names ${join(dir, 'minimal-qemuarm64.cpio.gz')}, which is not a file`);
    assert.equal(r.error[0].location, { file, line: 13, column: 3 });

    rmSync(join(dir, 'minimal-qemuarm64.cpio.gz'), { recursive: true });
    writeFileSync(join(dir, 'minimal-qemuarm64.cpio.gz'), 'initrd');
    r = await readQemuBoot(file);
    assert.ok(r.ok);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
