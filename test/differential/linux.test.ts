// The shipped Linux 6.1 guest (resources/guests/linux) in the lab and on
// QEMU: one scripted session (uname, /proc/cpuinfo, the Linux benchmarks,
// power-off) prints the same console, byte for byte once the benchmark
// figures are masked, natively and under every hypervisor model and preset
// with the hypervisor invisible (Popek and Goldberg's equivalence). With the
// hypervisor advertised in the device tree, as KVM does, the kernel reserves
// a little more memory for the larger tree and prints nothing else
// differently; the statistics then say where the exits came from, and a
// second boot gives the same counters.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GuestModel } from '../../src/shared/api';
import { presetConfig, type PresetId } from '../../src/shared/hw';
import { runElf, type RunResult } from '../../src/main/guest/run';
import { readGuestImage } from '../../src/main/lab/images';
import { qemuAvailable, runOnQemu } from '../support/qemu';
import { missing } from '../support/tools';

const KERNEL = join(__dirname, '..', '..', 'resources', 'guests', 'linux', 'vmlinux.gz');
const SCRIPT = 'uname -a; cat /proc/cpuinfo; ls /; echo differential; bench; poweroff';
const BOOTARGS = `console=ttyS0 printk.time=0 labinit="${SCRIPT}"`;
/** A benchmark row as /init prints it (labOS's format). */
const BENCH_ROW = /^bench (\S+) (\d+) \d+ \d+\.\d\d$/;
const BENCH_ROWS = ['null_syscall', 'getppid', 'page_fault', 'fork_exit', 'pipe_pingpong', 'ctx_switch', 'mmap_munmap', 'timer_signal'];

/** Console lines with the benchmark figures (ticks and ticks per op) masked. */
function masked(console: Uint8Array): string[] {
  return Buffer.from(console).toString('latin1').replace(/\r\n/g, '\n').split('\n')
    .map((l) => l.replace(BENCH_ROW, 'bench $1 $2 <ticks> <per-op>'));
}

const CONFIGS: [GuestModel, PresetId][] = [
  ['native', 'isa206'],
  ['booke-hv', 'isa206'], ['booke-hv', 'none'], ['booke-hv', 'all'], ['booke-hv', 'x86'],
  ['state-transfer', 'x86'],
  ['trap-and-emulate', 'isa206'],
];

describe.skipIf(missing('qemu-system-ppc', qemuAvailable()))('Linux: the lab against QEMU', () => {
  let elf: Uint8Array;
  let qemuConsole: string[];
  const runs = new Map<string, RunResult>();
  const run = (model: GuestModel, preset: PresetId, advertiseHypervisor = true) =>
    runElf(elf, { bootargs: BOOTARGS, model, hw: presetConfig(preset), maxInsns: 1e9, advertiseHypervisor });

  beforeAll(async () => {
    elf = readGuestImage(KERNEL);
    const dir = mkdtempSync(join(tmpdir(), 'lab-linux-'));
    try {
      const vmlinux = join(dir, 'vmlinux');
      writeFileSync(vmlinux, elf);
      const q = await runOnQemu(vmlinux, { bootargs: BOOTARGS, timeoutMs: 60_000 });
      expect(q.timedOut, 'QEMU timed out').toBe(false);
      expect(q.status, q.stderr).toBe(0);
      qemuConsole = masked(q.console);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);

  afterAll(() => runs.clear());

  it('QEMU itself runs the whole session: every command, every benchmark row, power-off', () => {
    expect(qemuConsole).toContain('Run /init as init process');
    expect(qemuConsole).toContain('# uname -a');
    expect(qemuConsole.some((l) => /^Linux \(none\) 6\.1\.\d+ #1 .* ppc$/.test(l))).toBe(true);
    expect(qemuConsole).toContain('platform\t: QEMU e500');
    for (const row of BENCH_ROWS) expect(qemuConsole.some((l) => l.startsWith(`bench ${row} `) && l.endsWith('<per-op>'))).toBe(true);
    expect(qemuConsole).toContain('reboot: Power down');
  });

  for (const [model, preset] of CONFIGS) {
    it(`prints the same console ${model === 'native' ? 'natively' : `under ${model} with the ${preset} preset`}`, () => {
      const r = run(model, preset, false);
      expect(r.reason, r.message).toBe('poweroff');
      expect(masked(r.console)).toEqual(qemuConsole);
      if (model === 'native') expect(r.stats.exits).toBe(0);
      else expect(r.stats.exits).toBeGreaterThan(0);
    }, 120_000);
  }

  for (const preset of ['isa206', 'none'] as const) {
    it(`with the hypervisor advertised (${preset}): only the kernel's memory line differs, by the larger device tree`, () => {
      const r = run('booke-hv', preset);
      runs.set(preset, r);
      expect(r.reason, r.message).toBe('poweroff');
      const got = masked(r.console);
      expect(got.length).toBe(qemuConsole.length);
      const differing = got.map((l, i) => [l, qemuConsole[i]!]).filter(([a, b]) => a !== b);
      expect(differing).toHaveLength(1);
      expect(differing[0]![0]).toMatch(/^Memory: \d+K\/131072K available/);
      expect(got).toContain('ePAPR hypervisor byte channel driver');
    }, 120_000);
  }

  it('shows where a boot\'s exits come from: TLB refills, emulated instructions, devices, timers; more with less duplicated', () => {
    const isa206 = runs.get('isa206');
    const none = runs.get('none');
    if (!isa206 || !none) throw new Error('the booke-hv runs above did not complete');
    const c = isa206.stats.counters;
    // Guest TLB misses the guest's own TLB translates: the shadow TLB refills them.
    expect(c.dtlb_virt_miss_exits.total + c.itlb_virt_miss_exits.total).toBeGreaterThan(0);
    // Misses the guest TLB cannot translate go back to the kernel's own handlers.
    expect(c.dtlb_real_miss_exits.total).toBe(c.reflect_dtlb.total);
    // tlbwe and friends are hypervisor-privileged on 2.06: each one exits.
    expect(c.emul_tlbwe.total).toBeGreaterThan(0);
    // Every UART, MPIC and GPIO access is emulated.
    expect(c.mmio_exits.total).toBeGreaterThan(0);
    // The decrementer is the hypervisor's, delivered to the guest by doorbell.
    expect(c.dec_exits.total).toBeGreaterThan(0);
    // With nothing duplicated, the fast-path registers trap as well, and
    // system calls go through the hypervisor.
    expect(none.stats.exits).toBeGreaterThan(isa206.stats.exits);
    expect(none.stats.counters.emulated_inst_exits.total).toBeGreaterThan(c.emulated_inst_exits.total);
    expect(c.syscall_exits.total).toBe(0);
    expect(none.stats.counters.syscall_exits.total).toBeGreaterThan(0);
  });

  it('gives the same counters and instruction count on a second boot', () => {
    const first = runs.get('isa206');
    if (!first) throw new Error('the booke-hv run above did not complete');
    const again = run('booke-hv', 'isa206');
    expect(again.insns).toBe(first.insns);
    const totals = (r: RunResult) => Object.fromEntries(Object.entries(r.stats.counters).map(([k, v]) => [k, v.total]));
    expect(totals(again)).toEqual(totals(first));
    expect(Buffer.from(again.console).equals(Buffer.from(first.console))).toBe(true);
  }, 120_000);
});
