// The multiprocessor Linux 6.1 guest (resources/guests/linux/vmlinux-smp.gz,
// CONFIG_SMP) with 2 and 4 vCPUs in the lab and on QEMU (-smp N): the kernel
// starts every secondary CPU through the spin table and the console, up to
// power-off, is the same byte for byte. The lab's run is deterministic: a
// second boot prints the same and retires the same instructions on every vCPU.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runElf } from '../../src/main/guest/run';
import { readGuestImage } from '../../src/main/lab/images';
import { qemuAvailable, runOnQemu } from '../support/qemu';
import { missing } from '../support/tools';

const KERNEL = join(__dirname, '..', '..', 'resources', 'guests', 'linux', 'vmlinux-smp.gz');
const SCRIPT = 'uname -a; cat /proc/cpuinfo; ls /; echo differential; poweroff';
const BOOTARGS = `console=ttyS0 printk.time=0 labinit="${SCRIPT}"`;

describe.skipIf(missing('qemu-system-ppc', qemuAvailable()))('Linux SMP: the lab against QEMU', () => {
  let elf: Uint8Array;
  let dir: string;

  beforeAll(() => {
    elf = readGuestImage(KERNEL);
    dir = mkdtempSync(join(tmpdir(), 'lab-linux-smp-'));
    writeFileSync(join(dir, 'vmlinux'), elf);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  for (const smp of [2, 4]) {
    it(`boots with ${smp} vCPUs, every CPU online, and prints what QEMU -smp ${smp} prints`, async () => {
      const q = await runOnQemu(join(dir, 'vmlinux'), { bootargs: BOOTARGS, smp, icount: false, timeoutMs: 60_000 });
      expect(q.timedOut, 'QEMU timed out').toBe(false);
      expect(q.status, q.stderr).toBe(0);
      const qemu = q.console.toString('latin1');
      expect(qemu).toContain(`smp: Brought up 1 node, ${smp} CPUs`);
      expect(qemu.match(/^processor\t: \d+\r$/gm)).toHaveLength(smp);
      expect(qemu).toContain('reboot: Power down');

      const lab = runElf(elf, { bootargs: BOOTARGS, smp, maxInsns: 1e9 });
      expect(lab.reason, lab.message).toBe('poweroff');
      expect(Buffer.from(lab.console).toString('latin1')).toBe(qemu);
      // Every vCPU ran kernel code (the secondaries their idle loops and whatever the scheduler gave them).
      for (const cpu of lab.machine.cpus) expect(cpu.insns).toBeGreaterThan(0);

      const again = runElf(elf, { bootargs: BOOTARGS, smp, maxInsns: 1e9 });
      expect(Buffer.from(again.console)).toEqual(Buffer.from(lab.console));
      expect(again.machine.cpus.map((c) => c.insns)).toEqual(lab.machine.cpus.map((c) => c.insns));
    }, 180_000);
  }
});
