import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { bwrapArgs, taskCommand } from '../../core/exec/sandbox.js';

// The two ways into the sandbox, as arguments (the hostile tests run the
// root one for real; CI runs as root, so the user one is pinned here).

const spec = { writable: ['/home/u/p/build/work/m/r-1'], readOnly: ['/home/u/p/build/work/m/r-1/sysroot'], uid: 100000 };

test('as an ordinary user, bwrap makes the user namespace itself (--disable-userns needs --unshare-user)', () => {
  const args = bwrapArgs(spec, false);
  assert.ok(args.includes('--unshare-user'));
  assert.ok(args.indexOf('--unshare-user') < args.indexOf('--disable-userns'));
  assert.equal(taskCommand(spec, false, ['/bin/sh', 'run.x']), ['/bin/sh', 'run.x']);
});

test('as root, bwrap makes no user namespace; the task drops to the sandbox uid and maps it to root', () => {
  const args = bwrapArgs(spec, true);
  assert.not.ok(args.includes('--unshare-user'));
  assert.ok(args.includes('--unshare-net') && args.includes('--unshare-pid'));
  const cmd = taskCommand(spec, true, ['/bin/sh', 'run.x']);
  assert.equal(cmd.slice(0, 3), ['setpriv', '--reuid=100000', '--regid=100000']);
  assert.ok(cmd.includes('--map-root-user'));
});

test('read-only paths are bound after the writable folder (so a sysroot inside it stays read-only); parents are made reachable', () => {
  // readOnly paths that do not exist are left out, so an existing one stands in for the sysroot.
  const args = bwrapArgs({ ...spec, readOnly: ['/usr/share'] }, true);
  const rw = args.indexOf(spec.writable[0]);
  const ro = args.lastIndexOf('/usr/share');
  assert.ok(rw > 0 && args[rw - 1] === '--bind');
  assert.ok(ro > rw && args[ro - 2] === '--ro-bind');
  assert.ok(args.join(' ').includes('--perms 0755 --dir /home/u/p'));
});

test.run();
