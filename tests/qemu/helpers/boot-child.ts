import { join } from 'node:path';
import { testImage } from '../../../core/qemu/testimage.js';
import { findTestKernel, makeGuest } from './guest.js';

// A process that runs testImage on the test guest with one check that never
// ends, and reports on stdout what the parent test needs: the guest folder,
// QEMU's pid, and when the guest has booted. The parent signals this process
// and checks that QEMU did not outlive it.

const kernel = findTestKernel();
if (!kernel.ok) {
  process.stderr.write(`${kernel.error}\n`);
  process.exit(2);
}
const guest = await makeGuest(kernel.value);
process.stdout.write(`dir ${guest.dir}\n`);
const result = await testImage(guest.boot, [{ name: 'never ends', run: 'sleep 600', timeoutMs: 600_000 }], {
  log: join(guest.dir, 'console.log'),
  bootTimeoutMs: 60_000,
  onEvent: (e) => {
    if (e.kind === 'start') process.stdout.write(`qemu-pid ${e.pid}\n`);
    if (e.kind === 'booted') process.stdout.write('booted\n');
  },
});
process.stdout.write(`finished ${JSON.stringify(result)}\n`);
