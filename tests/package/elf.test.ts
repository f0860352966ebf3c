import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scratchDirs } from '../helpers/strata.js';
import { readElf, type ElfInfo } from '../../core/package/elf.js';

// The ELF reader against real binaries: a shared library with a soname and
// an executable linked to it, built by the cross compilers Strata uses and
// by the host's gcc, in both classes and both byte orders; and hostile
// input (truncated, not ELF, a string table pointing outside the file).

const tempDir = scratchDirs(test);

const LIB = 'int answer(void) { return 42; }\n';
const APP = 'int answer(void);\nint main(void) { return answer(); }\n';

/** Builds libanswer.so (soname libanswer.so.1) and app linked to it; returns both parsed. */
function build(cc: string, flags: string[], linkApp: string[] = []): { lib: ElfInfo; app: ElfInfo; dir: string } {
  const dir = tempDir('strata-elf-');
  writeFileSync(join(dir, 'lib.c'), LIB);
  writeFileSync(join(dir, 'app.c'), APP);
  execFileSync(cc, [...flags, '-shared', '-fPIC', '-Wl,-soname,libanswer.so.1', '-o', join(dir, 'libanswer.so'), join(dir, 'lib.c')]);
  execFileSync(cc, [...flags, ...linkApp, '-o', join(dir, 'app'), join(dir, 'app.c'), join(dir, 'libanswer.so')]);
  const parse = (f: string) => {
    const r = readElf(readFileSync(join(dir, f)));
    if (!r.ok) throw new Error(`${f}: ${r.reason}`);
    return r.elf;
  };
  return { lib: parse('libanswer.so'), app: parse('app'), dir };
}

const CASES: { name: string; cc: string; flags: string[]; link?: string[]; bits: 32 | 64; endian: 'little' | 'big'; machine: number; libc: boolean }[] = [
  { name: 'aarch64 (glibc cross gcc)', cc: 'aarch64-linux-gnu-gcc', flags: [], bits: 64, endian: 'little', machine: 183, libc: true },
  { name: 'riscv64 (glibc cross gcc)', cc: 'riscv64-linux-gnu-gcc', flags: [], bits: 64, endian: 'little', machine: 243, libc: true },
  { name: 'host x86-64 gcc', cc: 'gcc', flags: [], bits: 64, endian: 'little', machine: 62, libc: true },
  // No big-endian or 32-bit C library is installed: these link without one.
  {
    name: 'aarch64 big-endian',
    cc: 'aarch64-linux-gnu-gcc',
    flags: ['-mbig-endian', '-nostdlib'],
    link: ['-Wl,-e,main'],
    bits: 64,
    endian: 'big',
    machine: 183,
    libc: false,
  },
  { name: 'i386 (32-bit little-endian)', cc: 'gcc', flags: ['-m32', '-nostdlib'], link: ['-Wl,-e,main'], bits: 32, endian: 'little', machine: 3, libc: false },
  {
    name: 'aarch64 ILP32 big-endian (32-bit big-endian)',
    cc: 'aarch64-linux-gnu-gcc',
    flags: ['-mabi=ilp32', '-mbig-endian', '-nostdlib'],
    link: ['-Wl,-e,main'],
    bits: 32,
    endian: 'big',
    machine: 183,
    libc: false,
  },
];

for (const c of CASES) {
  test(`${c.name}: soname of the library, DT_NEEDED and loader of the program`, () => {
    const { lib, app } = build(c.cc, c.flags, c.link);
    assert.is(lib.bits, c.bits);
    assert.is(lib.endian, c.endian);
    assert.is(lib.machine, c.machine);
    assert.is(lib.soname, 'libanswer.so.1');
    assert.is(app.soname, undefined);
    assert.is(app.needed[0], 'libanswer.so.1', 'the program needs the soname, not the file name it was linked with');
    if (c.libc) {
      assert.ok(
        app.needed.some((n) => /^libc\.so\.6$/.test(n)),
        app.needed.join(' '),
      );
      assert.match(app.interpreter ?? '', /^\/lib.*\/ld-linux.*\.so\.\d$/);
    } else assert.equal(app.needed, ['libanswer.so.1']);
  });
}

test('agrees with readelf -d on a real system library', () => {
  const lib = execFileSync('gcc', ['-print-file-name=libc.so.6'], { encoding: 'utf8' }).trim();
  const r = readElf(readFileSync(lib));
  assert.ok(r.ok);
  const dyn = execFileSync('readelf', ['-d', lib], { encoding: 'utf8' });
  const want = [...dyn.matchAll(/\(NEEDED\)\s+Shared library: \[(.+)\]/g)].map((m) => m[1]);
  assert.equal(r.ok && r.elf.needed, want);
  assert.is(r.ok && r.elf.soname, /\(SONAME\)\s+Library soname: \[(.+)\]/.exec(dyn)![1]);
});

test('without program headers, the .dynamic section is read', () => {
  const { dir } = build('aarch64-linux-gnu-gcc', []);
  const buf = Buffer.from(readFileSync(join(dir, 'app')));
  // e_phnum = 0: only the section headers are left to find the dynamic table.
  buf.writeUInt16LE(0, 56);
  const r = readElf(buf);
  assert.ok(r.ok, r.ok ? '' : r.reason);
  assert.ok(r.ok && r.elf.needed.includes('libanswer.so.1'));
  assert.is(r.ok && r.elf.interpreter, undefined);
});

test('hostile input: not ELF, truncated, bad class, string table out of range', () => {
  assert.equal(readElf(Buffer.from('#!/bin/sh\necho hi\n')), { ok: false, reason: 'not an ELF file' });
  const { dir } = build('riscv64-linux-gnu-gcc', []);
  const app = readFileSync(join(dir, 'app'));
  for (const n of [4, 40, 64, 200, 600]) {
    const r = readElf(app.subarray(0, n));
    assert.not.ok(r.ok, `cut at ${n} bytes`);
  }
  const badClass = Buffer.from(app);
  badClass[4] = 9;
  assert.equal(readElf(badClass), { ok: false, reason: 'unknown ELF class 9' });
  // Point every program header far past the end of the file.
  const moved = Buffer.from(app);
  moved.writeBigUInt64LE(BigInt(app.length * 4), 32);
  assert.not.ok(readElf(moved).ok);
  // A static object (no dynamic table) reads fine, with nothing needed.
  const obj = join(dir, 'lib.o');
  execFileSync('riscv64-linux-gnu-gcc', ['-c', '-o', obj, join(dir, 'lib.c')]);
  const o = readElf(readFileSync(obj));
  assert.ok(o.ok && o.elf.type === 1 && o.elf.needed.length === 0);
});

test.run();
