import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkProblem, judgeCheck } from '../../core/qemu/check.js';
import { commandOutput, kernelPanicLine, markedCommand, markerFinder, promptFinder } from '../../core/qemu/shell-protocol.js';

test('promptFinder matches only at the end of the unfinished last line', () => {
  const find = promptFinder('~ # ');
  assert.ok(find('boot\nmore\n~ # '));
  assert.is(find('boot\n~ # ')!.start, 5);
  assert.not.ok(find('~ # \nlater kernel message\n'), 'a prompt followed by more output is stale');
  assert.not.ok(find('a line with ~ # inside\n'));
  assert.not.ok(find('~ # uname -m'), 'typed text after the prompt');
  assert.ok(promptFinder('[#$] $')('root@box:~# '));
  assert.ok(promptFinder('^login: $')('\nlogin: '));
  assert.not.ok(promptFinder('^login: $')('\nqemuarm64 login: '), '^ anchors at the start of the line');
});

test('markedCommand appends the status marker, minding a trailing ; or &', () => {
  assert.is(markedCommand('uname -m', 3), 'uname -m; echo __STRATA_3_$?__');
  assert.is(markedCommand('sleep 1 &', 1), 'sleep 1 & echo __STRATA_1_$?__');
  assert.is(markedCommand('true;  ', 2), 'true; echo __STRATA_2_$?__');
});

test('markerFinder: the expanded marker of this check only, never the echoed one', () => {
  const find = markerFinder(2);
  assert.not.ok(find('~ # true; echo __STRATA_2_$?__\n'));
  assert.not.ok(find('__STRATA_1_0__\n'), 'a late marker of another check');
  assert.not.ok(find('__STRATA_22_0__\n'), 'a longer number');
  const f = find('x\n__STRATA_2_127__\n')!;
  assert.equal(f.groups, ['127']);
  assert.is(f.start, 2);
});

test('commandOutput drops the echoed line and the newline before the marker', () => {
  assert.is(commandOutput(' uname -m; echo __STRATA_1_$?__\naarch64\n', 1), 'aarch64');
  assert.is(commandOutput(' true; echo __STRATA_1_$?__\n', 1), '');
  assert.is(commandOutput('no echo here\nsecond\n', 1), 'no echo here\nsecond', 'a terminal without echo');
  assert.is(commandOutput(' printf x; echo __STRATA_4_$?__\nx', 4), 'x', 'output without a final newline');
  assert.is(commandOutput('\n~ # cat f; echo __STRATA_2_$?__\na\n\n', 2), 'a\n', 'a nudged prompt before the echo; a blank last line is kept');
});

test('judgeCheck: status 0 by default, expect, match (multiline), all reasons named', () => {
  assert.equal(judgeCheck({ run: 'x' }, '', 0), { passed: true });
  assert.equal(judgeCheck({ run: 'x', status: 2 }, '', 2), { passed: true });
  assert.equal(judgeCheck({ run: 'x', expect: 'arch' }, 'aarch64', 0), { passed: true });
  assert.equal(judgeCheck({ run: 'x', match: '^aarch64$' }, 'Linux\naarch64\n', 0), { passed: true });
  const r = judgeCheck({ run: 'x', expect: 'foo', match: '^bar' }, 'baz', 1);
  assert.is(r.passed, false);
  assert.is(r.reason, 'exit status 1, expected 0; output does not contain "foo"; output does not match /^bar/');
});

test('checkProblem rejects checks that cannot run', () => {
  assert.is(checkProblem({ run: 'uname -m', match: 'a' }), undefined);
  assert.match(checkProblem({ run: '  ' })!, 'empty');
  assert.match(checkProblem({ run: 'a\nb' })!, 'several lines');
  assert.match(checkProblem({ run: 'a', match: '(' })!, 'not a valid regular expression');
  assert.match(checkProblem({ run: 'a', status: 300 })!, 'not an exit status');
});

test('kernelPanicLine finds the line that explains a dead guest', () => {
  assert.is(
    kernelPanicLine(['ok', '[ 1.0] Kernel panic - not syncing: VFS: Unable to mount root fs  ', 'x']),
    '[ 1.0] Kernel panic - not syncing: VFS: Unable to mount root fs',
  );
  assert.is(kernelPanicLine(['fine']), undefined);
});

test.run();
