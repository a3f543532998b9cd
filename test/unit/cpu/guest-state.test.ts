// The core in guest state (MSR[GS]=1) under a hypervisor's hooks: what the
// hardware does by itself and what it hands to the hypervisor, checked on
// the core alone with a recording stand-in for the hypervisor.
import { describe, expect, it } from 'vitest';
import { Cpu, type CpuHooks, HOST } from '../../../src/main/cpu/cpu';
import { execute } from '../../../src/main/cpu/interp';
import { Tlb } from '../../../src/main/cpu/mmu';
import { IVOR, MAS, MSR, TCR } from '../../../src/main/cpu/regs';
import { Bus } from '../../../src/main/devices/bus';

type Call = [string, ...number[]];

/** A hypervisor that records what the core asks of it and resumes where it is told. */
function recorder(calls: Call[]): CpuHooks {
  return {
    mfspr: (cpu, n) => { calls.push(['mfspr', n]); return cpu.readSpr(n); },
    mtspr: (cpu, n, v) => { calls.push(['mtspr', n, v]); cpu.writeSpr(n, v); },
    interrupt: (_cpu, ivor, srr0) => { calls.push(['interrupt', ivor]); return srr0; },
    privileged: (_cpu, id, _w, pc) => { calls.push(['privileged', id]); return (pc + 4) | 0; },
    hypercall: (_cpu, pc) => { calls.push(['hypercall']); return (pc + 4) | 0; },
    mmio: () => { calls.push(['mmio']); },
    mmioDone: () => { calls.push(['mmioDone']); },
    hostEvent: (_cpu, events, pc) => { calls.push(['hostEvent', events]); return pc; },
    enter: (_cpu, pc) => { calls.push(['enter']); return pc; },
    externalLine: (_cpu, level) => { calls.push(['externalLine', level ? 1 : 0]); },
  };
}

/** A core with RAM mapped 1:1 (64 MB, guest entries tagged TGS|LPID 1), in guest supervisor state. */
function guestCore(calls: Call[]): Cpu {
  const cpu = new Cpu(new Bus(64 << 20));
  cpu.lpid = 1;
  cpu.spr[624] = MAS.TLBSEL;
  cpu.spr[625] = MAS.V | (16 << MAS.TSIZE_SHIFT);
  cpu.spr[626] = 0;
  cpu.spr[627] = MAS.SR | MAS.SW | MAS.SX;
  cpu.spr[944] = 0;
  cpu.tlbwe(cpu.tlb, MAS.TGS | 1);
  cpu.hooks = recorder(calls);
  cpu.setMsr(MSR.GS);
  return cpu;
}

function place(cpu: Cpu, at: number, ...words: number[]): void {
  words.forEach((w, k) => cpu.bus.writeRam(at + 4 * k, 4, w));
  cpu.pc = at;
}

const WAIT = 0x7C00007C;
const WRTEEI_1 = 0x7C008146;

describe('the core in guest state', () => {
  it('executes wait without an exit: it just waits', () => {
    const calls: Call[] = [];
    const cpu = guestCore(calls);
    place(cpu, 0x1000, WAIT);
    execute(cpu, 1);
    expect(cpu.waiting).toBe(true);
    expect(calls).toEqual([]);
  });

  it('takes a decrementer the hypervisor emulates when it expires, whatever the guest MSR[EE]', () => {
    const calls: Call[] = [];
    const cpu = guestCore(calls);
    cpu.writeSpr(340, TCR.DIE);
    cpu.writeSpr(22, 10);
    cpu.timers.skipTo(20);
    cpu.timers.update();
    expect(cpu.msr & MSR.EE).toBe(0);
    expect(cpu.interruptPending()).toBe(true);
    cpu.checkInterrupts();
    expect(calls).toEqual([['hostEvent', HOST.DEC]]);
  });

  it('leaves a decrementer directed to the guest to the guest MSR[EE], and then delivers it itself through the route', () => {
    const calls: Call[] = [];
    const cpu = guestCore(calls);
    cpu.guestDirected = 1 << IVOR.DECREMENTER;
    cpu.writeSpr(340, TCR.DIE);
    cpu.writeSpr(22, 10);
    cpu.timers.skipTo(20);
    cpu.timers.update();
    expect(cpu.interruptPending()).toBe(false);
    cpu.checkInterrupts();
    expect(calls).toEqual([]);
    cpu.writeMsr(cpu.msr | MSR.EE);
    cpu.checkInterrupts();
    expect(calls).toEqual([['interrupt', IVOR.DECREMENTER]]);
  });

  it('takes a guest doorbell only once the guest enables MSR[EE], as an exit (IVOR38)', () => {
    const calls: Call[] = [];
    const cpu = guestCore(calls);
    cpu.doorbell(true, (2 << 27) | (1 << 14) | cpu.pir);
    cpu.checkInterrupts();
    expect(calls).toEqual([]);
    place(cpu, 0x2000, WRTEEI_1, 0x60000000);
    execute(cpu, 2);
    cpu.checkInterrupts();
    expect(calls).toEqual([['interrupt', IVOR.GUEST_DOORBELL]]);
  });

  it('ignores a guest doorbell for another partition', () => {
    const calls: Call[] = [];
    const cpu = guestCore(calls);
    cpu.doorbell(true, (2 << 27) | (5 << 14) | cpu.pir);
    expect(cpu.guestDoorbells).toBe(0);
  });

  it('hands the guest interrupt-controller line to the hypervisor unless external input is directed to the guest', () => {
    const calls: Call[] = [];
    const cpu = guestCore(calls);
    cpu.setExternalInput(true);
    expect(calls).toEqual([['externalLine', 1]]);
    cpu.writeMsr(cpu.msr | MSR.EE);
    cpu.checkInterrupts();
    expect(calls).toEqual([['externalLine', 1]]);
    cpu.setExternalInput(false);
    cpu.guestDirected = 1 << IVOR.EXTERNAL;
    calls.length = 0;
    cpu.setExternalInput(true);
    cpu.checkInterrupts();
    expect(calls).toEqual([['interrupt', IVOR.EXTERNAL]]);
  });

  it('keeps the MSR bits MSRP protects, against mtmsr and across interrupts', () => {
    const cpu = guestCore([]);
    cpu.spr[311] = MSR.UCLE | MSR.PMM; // MSRP: UCLEP | PMMP, as KVM programs it
    cpu.writeMsr(MSR.UCLE | MSR.PMM | MSR.EE);
    expect(cpu.msr & (MSR.UCLE | MSR.PMM)).toBe(0);
    expect(cpu.msr & MSR.EE).toBe(MSR.EE);
    cpu.spr[311] = 0;
    cpu.writeMsr(MSR.UCLE | MSR.PMM);
    cpu.spr[311] = MSR.UCLE | MSR.PMM;
    cpu.deliver(IVOR.PROGRAM, 0x100, 0, 0);
    expect(cpu.msr & (MSR.UCLE | MSR.PMM)).toBe(MSR.UCLE | MSR.PMM);
    // Natively (no MSRP in force outside guest state) an interrupt clears them.
    const native = new Cpu(new Bus(64 << 20));
    native.spr[311] = MSR.UCLE | MSR.PMM;
    native.setMsr(MSR.UCLE | MSR.PMM);
    native.deliver(IVOR.PROGRAM, 0x100, 0, 0);
    expect(native.msr & (MSR.UCLE | MSR.PMM)).toBe(0);
  });

  it('leaves MAS6 alone on a storage interrupt that goes to the hypervisor (EPCR[DMIUH]); natively it updates it', () => {
    const calls: Call[] = [];
    const cpu = guestCore(calls);
    cpu.pid = 7;
    cpu.spr[630] = 0x1234;
    cpu.faultIvor = IVOR.DSI;
    cpu.faultTlbMiss = false;
    cpu.deliverFault(0x3000);
    expect(calls).toEqual([['interrupt', IVOR.DSI]]);
    expect(cpu.spr[630]).toBe(0x1234);
    const native = new Cpu(new Bus(64 << 20));
    native.pid = 7;
    native.faultIvor = IVOR.DSI;
    native.deliverFault(0x3000);
    expect(native.spr[630]).toBe(7 << MAS.SPID_SHIFT);
  });
});

describe('tlbilx and TLPID 0', () => {
  it('invalidates by partition exactly (T=0), and by address as a translation matches (T=3, TLPID 0 for every partition)', () => {
    const tlb = new Tlb();
    const global = tlb.write(MAS.TLBSEL | (1 << MAS.ESEL_SHIFT), MAS.V | (2 << MAS.TSIZE_SHIFT), 0x10000000, 0, 0, 0);
    const own = tlb.write(MAS.TLBSEL | (2 << MAS.ESEL_SHIFT), MAS.V | (2 << MAS.TSIZE_SHIFT), 0x20000000, 0, 0, 3);
    tlb.invalidateLocal(0, 3, 0, 0, 0, 0);
    expect(tlb.mas1[own]! < 0).toBe(false);
    expect(tlb.mas1[global]! < 0).toBe(true);
    // A translation in partition 3 would use the TLPID-0 entry, so tlbilx by address in partition 3 takes it.
    expect(tlb.lookup(0x10000000, 0, 0, 0, 3)).toBe(global);
    tlb.invalidateLocal(3, 3, 0, 0, 0, 0x10000000);
    expect(tlb.mas1[global]! < 0).toBe(false);
  });
});
