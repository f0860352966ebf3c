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
  assert.is(d.code, 'qemuboot-syntax');
  assert.equal(d.location, { file: FILE, line: 3, column: 12 });
});

test('every missing required field is reported at once, naming file and field', () => {
  const ds = errors(json({ machine: 'qemuarm64', qemu: { binary: 'qemu-system-aarch64' } }));
  const messages = ds.map((d) => d.message);
  for (const field of ['image', 'kernel', 'prompt', 'qemu.machine']) {
    assert.ok(messages.includes(`qemuboot field "${field}" is required`), `missing ${field}: ${messages.join(' | ')}`);
  }
  for (const d of ds) assert.is(d.location?.file, FILE);
  // A missing member points at the object that lacks it.
  assert.is(ds.find((d) => d.message.includes('qemu.machine'))!.location!.line, 3);
});

test('wrong types name the field, what it must be, and where it is', () => {
  const text = json({ ...good, qemu: { ...good.qemu, memory: '1G', extraArgs: ['-s', 5] }, network: 'tap' });
  const ds = errors(text);
  const memory = ds.find((d) => d.message.includes('"qemu.memory"'))!;
  assert.is(memory.message, 'qemuboot field "qemu.memory" must be a positive whole number of MiB, got string "1G"');
  assert.equal(memory.location, { file: FILE, line: 8, column: 5 });
  assert.match(formatDiagnostic(memory), `${FILE}:8:5: error[qemuboot-field]`);
  assert.ok(ds.some((d) => d.message === 'qemuboot field "qemu.extraArgs[1]" must be a string, got number 5'));
  assert.ok(ds.some((d) => d.message === 'qemuboot field "network" must be one of "none", "user", got string "tap"'));
});

test('unknown fields are errors with a did-you-mean', () => {
  const { prompt, ...rest } = good;
  const ds = errors(json({ ...rest, promt: prompt }));
  const unknown = ds.find((d) => d.code === 'qemuboot-unknown-field')!;
  assert.is(unknown.message, 'unknown qemuboot field "promt"');
  assert.is(unknown.hint, 'did you mean "prompt"?');
  assert.ok(ds.some((d) => d.message === 'qemuboot field "prompt" is required'));
});

test('prompt must be a valid regular expression; version must be known', () => {
  const ds = errors(json({ ...good, prompt: '(root', version: 2 }));
  assert.ok(ds.some((d) => d.message.startsWith('qemuboot field "prompt" is not a valid regular expression')));
  assert.ok(ds.some((d) => d.message.startsWith('qemuboot field "version" is number 2')));
});

test('a prompt with "$" before its end can never match and is rejected', () => {
  const [d] = errors(json({ ...good, prompt: '$ ' }));
  assert.match(d.message, 'qemuboot field "prompt" has a "$" before its end');
  assert.is(d.hint, 'write \\\\$ in the JSON string for a literal dollar sign');
  assert.ok(parseQemuBoot(json({ ...good, prompt: '\\$ ' }), FILE).ok);
  assert.ok(parseQemuBoot(json({ ...good, prompt: '# $' }), FILE).ok);
});

test('a file that is not an object', () => {
  const [d] = errors('[1, 2]');
  assert.match(d.message, 'must hold a JSON object, got an array');
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
