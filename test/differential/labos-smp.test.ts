// labOS on several CPUs: `smp` releases the secondaries from the spin table
// and `smp bench` measures an inter-processor interrupt's round trip, a TLB
// shootdown and a contended lwarx/stwcx. counter. The console (benchmark
// figures masked) is QEMU's with -smp 2, natively and under the hypervisor;
// under the hypervisor every round trip costs exits on both vCPUs (the guest's
// msgsnd emulated, the other vCPU kicked by a host doorbell, the doorbell
// injected), more with nothing duplicated, and the figures say so.
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { presetConfig, type PresetId } from '../../src/shared/hw';
import { runElf, type RunResult } from '../../src/main/guest/run';
import { qemuAvailable, runOnQemu } from '../support/qemu';
import { missing } from '../support/tools';

const LABOS_PATH = join(__dirname, '..', '..', 'resources', 'guests', 'labos', 'labos.elf');
const LABOS = new Uint8Array(readFileSync(LABOS_PATH));
const SCRIPT = 'smp; smp bench; smp; run hello; poweroff';
const ROW = /^bench (\S+) (\d+) (\d+) (\d+\.\d\d)\r?$/;

const masked = (console: Uint8Array | Buffer) => Buffer.from(console).toString('latin1').split('\n')
  .map((l) => l.replace(ROW, 'bench $1 $2 <ticks> <per-op>'));

/** The benchmark rows' ticks per operation, by name. */
function perOp(r: RunResult): Record<string, number> {
  const out: Record<string, number> = {};
  for (const l of Buffer.from(r.console).toString('latin1').split('\n')) {
    const m = ROW.exec(l);
    if (m) out[m[1]!] = Number(m[4]);
  }
  return out;
}

describe.skipIf(missing('qemu-system-ppc', qemuAvailable()))('labOS on two CPUs: the lab against QEMU', () => {
  it('starts its second CPU and runs the per-CPU benchmarks, as on QEMU, natively and under booke-hv', async () => {
    const q = await runOnQemu(LABOS_PATH, { bootargs: SCRIPT, smp: 2, icount: false, timeoutMs: 60_000 });
    expect(q.status, q.stderr).toBe(0);
    const qemu = masked(q.console);
    expect(qemu).toContain('smp: cpu 1 up\r');
    expect(qemu).toContain('smp: 2 of 2 CPUs running\r');
    for (const name of ['ipi_roundtrip', 'tlb_shootdown', 'lwarx_contended']) expect(qemu.some((l) => l.startsWith(`bench ${name} `))).toBe(true);

    const native = runElf(LABOS, { bootargs: SCRIPT, smp: 2 });
    expect(native.reason, native.message).toBe('reset');
    expect(masked(native.console)).toEqual(qemu);
    expect(native.stats.exits).toBe(0);

    const hosted: Record<string, RunResult> = {};
    for (const preset of ['isa206', 'none'] as PresetId[]) {
      const r = runElf(LABOS, { bootargs: SCRIPT, smp: 2, model: 'booke-hv', hw: presetConfig(preset), advertiseHypervisor: false });
      expect(r.reason, r.message).toBe('reset');
      expect(masked(r.console), preset).toEqual(qemu);
      // 200 round trips: each rings a doorbell each way, and each doorbell kicks the other vCPU out of the guest.
      expect(r.stats.counters.dbell_exits?.total, preset).toBeGreaterThanOrEqual(400);
      expect(r.stats.counters.reflect_doorbell?.total, preset).toBeGreaterThanOrEqual(400);
      // 500 shootdowns: tlbivax and tlbsync both trap to the hypervisor.
      expect(r.stats.counters.emul_tlbinv?.total, preset).toBeGreaterThanOrEqual(1000);
      hosted[preset] = r;
    }
    const ipi = (r: RunResult) => perOp(r).ipi_roundtrip!;
    expect(ipi(hosted.isa206!)).toBeGreaterThan(ipi(native) * 5);
    // With nothing duplicated the doorbell handlers' SPRG accesses and rfi exit too.
    expect(ipi(hosted.none!)).toBeGreaterThan(ipi(hosted.isa206!));
    expect(perOp(hosted.isa206!).tlb_shootdown).toBeGreaterThan(perOp(native).tlb_shootdown! * 10);
  }, 120_000);
});
