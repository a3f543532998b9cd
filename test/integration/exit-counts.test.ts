// Exit counts that mean what KVM's mean (docs/exits.md): each counter's
// increment rule, checked on guests whose every access is known. The
// consoles must not change with the configuration or the hypervisor's
// policy; only the counts may.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyHwPatch, type HwConfig, presetConfig } from '../../src/shared/hw';
import { runElf, type RunResult } from '../../src/main/guest/run';

const GUESTS = join(__dirname, '../../resources/guests');
const elf = (path: string) => new Uint8Array(readFileSync(join(GUESTS, path)));
const text = (r: RunResult) => Buffer.from(r.console).toString('latin1');
const hv = (hw: HwConfig, bootargs?: string) => ({ model: 'booke-hv' as const, hw, ...(bootargs ? { bootargs } : {}) });
const policy = (p: Parameters<typeof applyHwPatch>[1]['policy'], base = presetConfig('isa206')) => applyHwPatch(base, { policy: p });

describe('TLB misses: real ones reflected, virtual ones refilled page by page', () => {
  const image = elf('hvtests/tlbtouch.elf');
  const run = (bootargs: string, hw = presetConfig('isa206')) => runElf(image, hv(hw, bootargs)).stats.counters;
  const base = run('pages=0').dtlb_virt_miss_exits.total;

  it('refills one shadow per 4 KB page touched through a 16 MB guest mapping (the first one pre-mapped by tlbwe)', () => {
    const c = run('pages=64 passes=1');
    expect(c.dtlb_virt_miss_exits.total - base).toBe(63);
    // The guest TLB translated every access: nothing was reflected to it.
    expect(c.dtlb_real_miss_exits.total).toBe(0);
    expect(c.reflect_dtlb.total).toBe(0);
  });

  it('keeps the shadows while they fit in host TLB0, and refills again once it evicts them', () => {
    expect(run('pages=64 passes=3').dtlb_virt_miss_exits.total - base).toBe(63);
    // 1024 pages over 128 four-way sets: the second pass finds none of the first pass's shadows.
    expect(run('pages=1024 passes=2').dtlb_virt_miss_exits.total - base).toBeGreaterThanOrEqual(2 * 1024 - 1);
  });

  it('needs no refill at all when huge host pages back the guest mapping', () => {
    const c = run('pages=1024 passes=2', policy({ hostPageKb: 16384 }));
    expect(c.dtlb_virt_miss_exits.total).toBeLessThanOrEqual(base);
  });

  it('counts a miss the guest TLB cannot translate as real and reflects it, one for one', () => {
    const c = runElf(elf('labos/labos.elf'), hv(presetConfig('isa206'), 'bench tlb_miss; poweroff')).stats.counters;
    expect(c.dtlb_real_miss_exits.total).toBeGreaterThanOrEqual(4096);
    expect(c.reflect_dtlb.total).toBe(c.dtlb_real_miss_exits.total);
    expect(c.reflect_itlb.total).toBe(c.itlb_real_miss_exits.total);
  });

  it('gives the same console whatever the host page size', () => {
    const want = text(runElf(image, { bootargs: 'pages=700 passes=2' }));
    for (const kb of [4, 64, 1024, 16384]) {
      expect(text(runElf(image, hv(policy({ hostPageKb: kb }), 'pages=700 passes=2'))), `${kb} KB`).toBe(want);
    }
  });
});

describe('interrupt gating, injection and guest doorbells', () => {
  const image = elf('hvtests/gating.elf');
  const native = text(runElf(image));

  it('shows the guest the same interrupts natively and under every configuration and policy', () => {
    expect(native).toContain('gating done');
    expect(native).toContain('decrementer masked: before-enable=0 after-enable=1');
    for (const hw of [presetConfig('isa206'), presetConfig('none'), presetConfig('all'), presetConfig('x86'),
      policy({ injection: 'exit' }), policy({ sharedSave: 'switch' })]) {
      expect(text(runElf(image, hv(hw)))).toBe(native);
    }
  });

  it('takes a hypervisor-directed decrementer at expiry whatever the guest MSR[EE], then delivers it by a guest doorbell', () => {
    const c = runElf(image, hv(presetConfig('isa206'))).stats.counters;
    // One expiry while the guest ran (step 1); the idle vCPU of step 4 is woken without an exit.
    expect(c.dec_exits.total).toBe(1);
    expect(c.halt_wakeup.total).toBe(1);
    expect(c.hcall_exits.total).toBe(1);
    expect(c.reflect_dec.total).toBe(2);
    // Doorbells to itself are emulated msgsnd exits, injected without another exit.
    expect(c.emul_other.total).toBe(2);
    expect(c.reflect_doorbell.total).toBe(2);
    expect(c.dbell_exits.total).toBe(0);
    // Guest doorbells: step 1's decrementer, KVM's leftover doorbell after its
    // handler acknowledged it, step 3's masked doorbell, and step 4's leftover.
    expect(c.gdbell_exits.total).toBe(4);
  });

  it('delivers a guest-directed decrementer in hardware: no decrementer exit at all', () => {
    const hw = applyHwPatch(presetConfig('isa206'), { direct: { decrementer: true } });
    const c = runElf(image, hv(hw)).stats.counters;
    expect(c.dec_exits.total).toBe(0);
    expect(c.reflect_dec.total).toBe(0);
  });

  it('under the second-exit policy each interrupt the emulation raised costs a guest doorbell exit of its own', () => {
    const entry = runElf(image, hv(presetConfig('isa206'))).stats.counters;
    const exit = runElf(image, hv(policy({ injection: 'exit' }))).stats.counters;
    // Step 2's doorbell (msgsnd with EE=1) no longer goes in on the way back from the msgsnd exit.
    expect(exit.gdbell_exits.total).toBe(entry.gdbell_exits.total + 1);
    expect(exit.reflect_doorbell.total).toBe(entry.reflect_doorbell.total);
  });
});

describe('host events and interrupts raised by emulation', () => {
  const labos = elf('labos/labos.elf');

  it('a UART interrupt raised by the guest\'s own MMIO write costs no exit; typed input arriving while it runs does', () => {
    const quiet = runElf(labos, hv(presetConfig('isa206'), 'echo hi; poweroff'));
    expect(text(quiet)).toContain('hi');
    expect(quiet.stats.counters.ext_intr_exits.total).toBe(0);
    expect(quiet.stats.counters.reflect_external.total).toBeGreaterThan(0);

    let slices = 0;
    const typed = runElf(labos, {
      ...hv(presetConfig('isa206')), sliceInsns: 50_000, maxInsns: 2e8,
      onSlice: (_hv, machine) => {
        if (++slices === 400) machine.typeInput(new TextEncoder().encode('echo typed\rpoweroff\r'));
      },
    });
    expect(text(typed)).toContain('typed');
    expect(typed.reason).toBe('reset');
    expect(typed.stats.counters.ext_intr_exits.total).toBeGreaterThanOrEqual(1);
  });
});

describe('shared registers: saved on every exit (KVM) or on a vCPU switch', () => {
  const labos = elf('labos/labos.elf');
  const script = 'bench sprg_read; bench tcr_read; poweroff';

  it('charges two saves-and-restores per exit under KVM\'s policy', () => {
    const r = runElf(labos, hv(presetConfig('isa206'), script));
    expect(r.stats.counters.shared_switches.total).toBe(2 * r.stats.exits);
  });

  it('charges only vCPU switches under the lazy policy, and the guest measures the difference', () => {
    const kvm = runElf(labos, hv(presetConfig('isa206'), script));
    const lazy = runElf(labos, hv(policy({ sharedSave: 'switch' }), script));
    expect(lazy.stats.counters.shared_switches.total).toBeLessThan(kvm.stats.counters.shared_switches.total / 100);
    expect(lazy.stats.hvCycles).toBeLessThan(kvm.stats.hvCycles);
    // Nothing is shared when everything is duplicated: no cost either way.
    expect(runElf(labos, hv(presetConfig('all'), script)).stats.counters.shared_switches.total).toBe(0);
  });
});

describe('smaller differences with KVM, fixed', () => {
  const reflect = elf('hvtests/reflect.elf');

  it('delivers system calls straight to the guest even when ESR has no guest copy (sc does not write ESR)', () => {
    const hw = applyHwPatch(presetConfig('isa206'), { strategies: { ESR: 'trap' } });
    const r = runElf(reflect, hv(hw));
    expect(text(r)).toBe(text(runElf(reflect)));
    expect(r.stats.counters.syscall_exits.total).toBe(0);
  });

});
