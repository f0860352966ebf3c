import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync, appendFileSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { blake2b } from '../../core/release/blake2b.js';
import { scratchDirs, strata } from '../helpers/strata.js';

// Signing and t-of-n verification against the real minisign (Debian's
// 0.11): keys Strata makes sign with minisign, signatures Strata writes
// verify with `minisign -V`, and `strata verify` counts distinct trusted keys.

const tempDir = scratchDirs(test);
const minisign = (args: string[], cwd: string) => spawnSync('minisign', args, { cwd, encoding: 'utf8' });

async function keyPair(dir: string, name: string): Promise<string> {
  const r = await strata(['sign', '--generate-key', join(dir, name)]);
  assert.is(r.code, 0, r.stderr);
  return (/key ([0-9A-F]{16})/.exec(r.stdout) ?? [])[1];
}

test('BLAKE2b matches node for 64-byte digests and the RFC 7693 test vector', () => {
  for (const n of [0, 1, 127, 128, 129, 1000]) {
    const d = randomBytes(n);
    assert.ok(blake2b(d, 64).equals(createHash('blake2b512').update(d).digest()), `length ${n}`);
  }
  // RFC 7693 appendix A: BLAKE2b-512("abc").
  assert.is(blake2b(Buffer.from('abc'), 64).toString('hex').slice(0, 32), 'ba80a53f981c4d0d6a2797b69f12f6e9');
});

test('a strata signature verifies with minisign -V; a strata key signs with minisign -S', async () => {
  const dir = tempDir();
  const id = await keyPair(dir, 'alice');
  assert.match(readFileSync(join(dir, 'alice.pub'), 'utf8'), `untrusted comment: minisign public key ${id}\n`);
  writeFileSync(join(dir, 'm.json'), '{"image":"x"}\n');
  const s = await strata(['sign', join(dir, 'm.json'), '--key', join(dir, 'alice.key')]);
  assert.is(s.code, 0, s.stderr);
  for (const sig of ['m.json.minisig', `m.json.${id}.minisig`]) {
    const v = minisign(['-V', '-p', 'alice.pub', '-m', 'm.json', '-x', sig], dir);
    assert.is(v.status, 0, v.stderr);
    assert.match(v.stdout, 'Signature and comment signature verified');
  }
  const byMinisign = minisign(['-S', '-s', 'alice.key', '-m', 'm.json', '-x', 'other.minisig'], dir);
  assert.is(byMinisign.status, 0, byMinisign.stderr + byMinisign.stdout);
  mkdirSync(join(dir, 'sigs'));
  copyFileSync(join(dir, 'other.minisig'), join(dir, 'sigs/m.json.alice.minisig'));
  writeFileSync(join(dir, 'sigs/other-file.minisig'), 'not for m.json: never read\n');
  mkdirSync(join(dir, 'keys'));
  copyFileSync(join(dir, 'alice.pub'), join(dir, 'keys/alice.pub'));
  const v = await strata(['verify', join(dir, 'm.json'), '--keys', join(dir, 'keys'), '--signatures', join(dir, 'sigs')]);
  assert.is(v.code, 0, v.stdout + v.stderr);
  assert.match(v.stdout, 'signed by 1 of 1 trusted keys');
});

test('t-of-n: untrusted signer, threshold not met, tampered file, then a quorum', async () => {
  const dir = tempDir();
  const [a, b, c] = [await keyPair(dir, 'a'), await keyPair(dir, 'b'), await keyPair(dir, 'c')];
  const file = join(dir, 'img.manifest.json');
  writeFileSync(file, '{"tasks":[]}\n');
  mkdirSync(join(dir, 'keys'));
  copyFileSync(join(dir, 'a.pub'), join(dir, 'keys/a.pub'));
  copyFileSync(join(dir, 'b.pub'), join(dir, 'keys/b.pub'));
  const verify = (t: number) => strata(['verify', file, '--keys', join(dir, 'keys'), '--threshold', String(t)]);

  // Signed only by c, whose key is not trusted.
  assert.is((await strata(['sign', file, '--key', join(dir, 'c.key')])).code, 0);
  let r = await verify(1);
  assert.is(r.code, 1);
  assert.match(r.stdout, `is signed by key ${c}, which is not in`);
  assert.match(r.stderr, `${file}: error[threshold-not-met]: ${file} is signed by 0 of the 1 trusted keys required`);
  assert.match(r.stderr, 'add the .pub of each signer you trust');

  // a signs: 1 of 2 is not enough for a threshold of 2; the same key twice counts once.
  await strata(['sign', file, '--key', join(dir, 'a.key')]);
  copyFileSync(`${file}.${a}.minisig`, `${file}.again.minisig`);
  r = await verify(2);
  assert.is(r.code, 1);
  assert.match(r.stderr, 'is signed by 1 of the 2 trusted keys required');
  assert.match(r.stderr, /more trusted signer/);
  assert.is((await verify(1)).code, 0);

  // b signs: the quorum holds.
  await strata(['sign', file, '--key', join(dir, 'b.key')]);
  r = await verify(2);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, 'signed by 2 of 2 trusted keys (threshold 2)');
  assert.match(r.stdout, `good signature by trusted key ${b}`);
  assert.is((await verify(3)).code, 1, 'a threshold above the number of trusted keys never passes');

  // One changed byte: every trusted signature fails, and the message says what to do.
  appendFileSync(file, ' ');
  r = await verify(1);
  assert.is(r.code, 1);
  assert.match(r.stderr, `error[signature-mismatch]: ${file} does not match its signature by trusted key ${a}`);
  assert.match(r.stderr, 'the file changed after it was signed');
  const m = minisign(['-V', '-p', join(dir, 'a.pub'), '-m', file, '-x', `${file}.${a}.minisig`], dir);
  assert.is.not(m.status, 0, 'minisign agrees');
});

test('bad input: a damaged signature and a password-protected key are named', async () => {
  const dir = tempDir();
  await keyPair(dir, 'a');
  const file = join(dir, 'f');
  writeFileSync(file, 'x');
  mkdirSync(join(dir, 'keys'));
  copyFileSync(join(dir, 'a.pub'), join(dir, 'keys/a.pub'));
  writeFileSync(`${file}.minisig`, 'untrusted comment: x\nnot base64!\n');
  const r = await strata(['verify', file, '--keys', join(dir, 'keys')]);
  assert.is(r.code, 1);
  assert.match(r.stderr, `${file}.minisig: error[signature-unreadable]`);
  // A password-protected key (what `minisign -G` writes without -W): the
  // same layout with "Sc" as key derivation. Made by hand, since scrypt at
  // minisign's cost takes a minute on a busy machine.
  const lines = readFileSync(join(dir, 'a.key'), 'utf8').split('\n');
  const bytes = Buffer.from(lines[1], 'base64');
  bytes.write('Sc', 2, 'latin1');
  writeFileSync(join(dir, 'e.key'), `untrusted comment: minisign encrypted secret key\n${bytes.toString('base64')}\n`);
  const s = await strata(['sign', file, '--key', join(dir, 'e.key')]);
  assert.is(s.code, 2);
  assert.match(s.stderr, 'encrypted with a password');
  const exists = await strata(['sign', '--generate-key', join(dir, 'a')]);
  assert.is(exists.code, 2);
  assert.match(exists.stderr, 'Strata does not overwrite keys');
});

test.run();
