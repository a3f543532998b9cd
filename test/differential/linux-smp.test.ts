// The multiprocessor Linux 6.1 guest (resources/guests/linux/vmlinux-smp.gz,
// CONFIG_SMP) with 2 and 4 vCPUs in the lab and on QEMU (-smp N): the kernel
// starts every secondary CPU through the spin table and the console, up to
// power-off, is the same byte for byte, natively and under the hypervisor
// (booke-hv, and trap-and-emulate with 2 vCPUs; the hypervisor not
// advertised, so the device tree is the board's). The lab's run is
// deterministic: a second boot prints the same and retires the same
// instructions on every vCPU.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { presetConfig } from '../../src/shared/hw';
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
    it(`boots with ${smp} vCPUs, every CPU online, and prints what QEMU -smp ${smp} prints, natively and under the hypervisor`, async () => {
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

      const models = smp === 2 ? ['booke-hv', 'trap-and-emulate'] as const : ['booke-hv'] as const;
      for (const model of models) {
        const hosted = runElf(elf, { bootargs: BOOTARGS, smp, maxInsns: 1e9, model, hw: presetConfig('isa206'), advertiseHypervisor: false });
        expect(hosted.reason, `${model}: ${hosted.message}`).toBe('poweroff');
        expect(Buffer.from(hosted.console).toString('latin1'), model).toBe(qemu);
        // Linux's IPIs are doorbells: the guest's msgsnd is emulated and kicks the vCPU it addresses.
        expect(hosted.stats.counters.reflect_doorbell?.total ?? 0, model).toBeGreaterThan(0);
        for (const n of hosted.hypervisor.accountant.vcpuExits) expect(n, model).toBeGreaterThan(0);
      }
    }, 180_000);
  }
});
