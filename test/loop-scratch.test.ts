import { join } from 'node:path';
import { it } from 'vitest';
import { prepareRun } from '../src/main/guest/run';
import { readGuestImage } from '../src/main/lab/images';
it('loops', () => {
  const elf = readGuestImage(join(__dirname, '..', 'resources', 'guests', 'linux', 'vmlinux.gz'));
  const run = prepareRun(elf, { bootargs: 'console=ttyS0 printk.time=0 labinit="poweroff"' });
  const m = run.machine as any;
  let loops = 0;
  const drain = m.uart.drain.bind(m.uart);
  m.uart.drain = () => { loops++; drain(); };
  let outer = 0; let waits = 0;
  const t0 = performance.now();
  for (;;) {
    outer++;
    const out = run.machine.run(2e9 - run.machine.cpu.insns);
    if (out.kind === 'waiting') { waits++; run.machine.idleUntil(out.nextEvent); continue; }
    break;
  }
  console.log('insns', run.machine.cpu.insns, 'loops', loops, 'outer', outer, 'waits', waits, 'ms', (performance.now() - t0).toFixed(0));
}, 600000);
