// The core in guest state (MSR[GS]=1) under a hypervisor's hooks: what the
// hardware does by itself and what it hands to the hypervisor, checked on
// the core alone with a recording stand-in for the hypervisor.
import { describe, expect, it } from 'vitest';
import { Cpu, type CpuHooks, HOST } from '../../../src/main/cpu/cpu';
import { execute } from '../../../src/main/cpu/interp';
import { Tlb } from '../../../src/main/cpu/mmu';
import { EPCR, IVOR, MAS, MSR, TCR } from '../../../src/main/cpu/regs';
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

/** Writes instruction words to RAM and points the PC at them (each test uses fresh addresses: the core caches decoded words). */
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
    cpu.deliverGuest(IVOR.PROGRAM, 0x100, 0, 0);
    expect(cpu.msr & (MSR.UCLE | MSR.PMM)).toBe(MSR.UCLE | MSR.PMM);
    // Natively (no MSRP in force outside guest state) an interrupt clears them.
    const native = new Cpu(new Bus(64 << 20));
    native.spr[311] = MSR.UCLE | MSR.PMM;
    native.setMsr(MSR.UCLE | MSR.PMM);
    native.deliverHv(IVOR.PROGRAM, 0x100, 0, 0);
    expect(native.msr & (MSR.UCLE | MSR.PMM)).toBe(0);
  });

  it('leaves MAS6 alone on a storage interrupt that goes to the hypervisor (EPCR[DMIUH]); natively it updates it', () => {
    const calls: Call[] = [];
    const cpu = guestCore(calls);
    cpu.writeSpr(307, EPCR.DMIUH);
    cpu.pid = 7;
    cpu.spr[630] = 0x1234;
    cpu.faultIvor = IVOR.DSI;
    cpu.faultTlbMiss = false;
    cpu.deliverFault(0x3000);
    expect(calls).toEqual([['interrupt', IVOR.DSI]]);
    expect(cpu.spr[630]).toBe(0x1234);
    // Without DMIUH the hardware updates MAS6 on its way to the hypervisor too.
    cpu.writeSpr(307, 0);
    cpu.faultIvor = IVOR.DSI;
    cpu.deliverFault(0x3000);
    expect(cpu.spr[630]).toBe(7 << MAS.SPID_SHIFT);
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

/** A core in guest state with no hooks: a hypervisor running on the core itself would see what it does. */
function bareGuestCore(): Cpu {
  const cpu = guestCore([]);
  cpu.hooks = null;
  cpu.spr[63] = 0x00F00000; // the hypervisor's IVPR
  for (let n = 0; n < 16; n++) cpu.spr[400 + n] = n * 0x20;
  for (let n = 38; n < 42; n++) cpu.spr[432 + n - 38] = n * 0x20;
  cpu.spr[447] = 0x00100000; // GIVPR
  cpu.spr[440] = 0x200; // GIVOR2
  return cpu;
}

const MTSPR = (n: number, rs: number) => 0x7C0003A6 | (rs << 21) | ((n & 0x1F) << 16) | ((n >>> 5) << 11);
const MFSPR = (rt: number, n: number) => 0x7C0002A6 | (rt << 21) | ((n & 0x1F) << 16) | ((n >>> 5) << 11);

describe('the Embedded.Hypervisor category in the core (a hypervisor on the core itself)', () => {
  it('sends guest accesses to duplicated registers to their guest copies, leaving the hypervisor\'s own registers alone', () => {
    const cpu = bareGuestCore();
    cpu.gpr[3] = 0x1234;
    cpu.spr[26] = 0xAAAA;
    cpu.spr[371] = 0x5678; // GSPRG3
    place(cpu, 0x1000, MTSPR(26, 3), MFSPR(4, 259), MFSPR(5, 286));
    cpu.spr[382] = 3; // GPIR
    execute(cpu, 3);
    expect(cpu.spr[378]).toBe(0x1234); // GSRR0
    expect(cpu.spr[26]).toBe(0xAAAA);
    expect(cpu.gpr[4]).toBe(0x5678); // SPRG3R reads GSPRG3
    expect(cpu.gpr[5]).toBe(3); // PIR reads GPIR
  });

  it('raises the hypervisor privilege interrupt for a trapped register: to the hypervisor, at the instruction, out of guest state', () => {
    const cpu = bareGuestCore();
    place(cpu, 0x1000, MTSPR(340, 3)); // TCR traps in 2.06
    execute(cpu, 1);
    expect(cpu.pc).toBe(0x00F00000 + 41 * 0x20);
    expect(cpu.spr[26]).toBe(0x1000);
    expect(cpu.spr[27]! & MSR.GS).toBe(MSR.GS);
    expect(cpu.msr & MSR.GS).toBe(0);
  });

  it('returns from a guest interrupt through GSRR0/1 without leaving guest state, and enters the guest from hypervisor state with rfi or rfgi', () => {
    const cpu = bareGuestCore();
    cpu.spr[378] = 0x2000;
    cpu.spr[379] = MSR.EE;
    place(cpu, 0x1000, 0x4C000064); // rfi
    execute(cpu, 1);
    expect(cpu.pc).toBe(0x2000);
    expect(cpu.msr).toBe(MSR.GS | MSR.EE);
    // In hypervisor state the MSR comes whole from SRR1: GS set enters the guest.
    cpu.setMsr(0);
    cpu.spr[26] = 0x3000;
    cpu.spr[27] = MSR.GS | MSR.PR;
    place(cpu, 0x1100, 0x4C000064);
    execute(cpu, 1);
    expect([cpu.pc, cpu.msr]).toEqual([0x3000, MSR.GS | MSR.PR]);
    cpu.setMsr(0);
    cpu.spr[378] = 0x4000;
    cpu.spr[379] = 0;
    place(cpu, 0x1200, 0x4C0000CC); // rfgi
    execute(cpu, 1);
    expect([cpu.pc, cpu.msr]).toEqual([0x4000, MSR.GS]);
  });

  it('delivers a data storage interrupt EPCR directs to the guest through GIVPR/GIVOR2, GSRR0/1, GESR and GDEAR', () => {
    const cpu = bareGuestCore();
    cpu.writeSpr(307, EPCR.DSIGS);
    cpu.faultIvor = IVOR.DSI;
    cpu.faultEsr = 0x00800000;
    cpu.faultDear = 0x5000;
    const vector = cpu.deliverFault(0x1004);
    expect(vector).toBe(0x00100200);
    expect([cpu.spr[378], cpu.spr[383], cpu.spr[381]]).toEqual([0x1004, 0x00800000, 0x5000]);
    expect(cpu.spr[26]).toBe(0);
    expect(cpu.msr & MSR.GS).toBe(MSR.GS);
    // Without DSIGS it goes to the hypervisor.
    cpu.writeSpr(307, 0);
    cpu.faultIvor = IVOR.DSI;
    expect(cpu.deliverFault(0x1004)).toBe(0x00F00000 + 2 * 0x20);
    expect(cpu.msr & MSR.GS).toBe(0);
  });

  it('takes a decrementer in guest state whatever the guest MSR[EE], to the hypervisor', () => {
    const cpu = bareGuestCore();
    cpu.writeSpr(340, TCR.DIE);
    cpu.writeSpr(22, 5);
    cpu.timers.skipTo(10);
    cpu.timers.update();
    expect(cpu.interruptPending()).toBe(true);
    cpu.pc = 0x1000;
    cpu.checkInterrupts();
    expect(cpu.pc).toBe(0x00F00000 + 10 * 0x20);
    expect(cpu.spr[26]).toBe(0x1000);
  });

  it('sends sc 1 in guest state to the hypervisor system call vector, SRR0 at the next instruction; sc to the guest', () => {
    const cpu = bareGuestCore();
    place(cpu, 0x1000, 0x44000022);
    execute(cpu, 1);
    expect([cpu.pc, cpu.spr[26]]).toEqual([0x00F00000 + 40 * 0x20, 0x1004]);
    const g = bareGuestCore();
    g.spr[443] = 0x800; // GIVOR8
    place(g, 0x1000, 0x44000002);
    execute(g, 1);
    expect([g.pc, g.spr[378], g.msr & MSR.GS]).toEqual([0x00100800, 0x1004, MSR.GS]);
  });

  it('takes a guest doorbell to the hypervisor once the guest enables EE, saving the guest\'s PC and MSR in GSRR0/1', () => {
    const cpu = bareGuestCore();
    cpu.doorbell(true, (2 << 27) | (1 << 14));
    cpu.pc = 0x1000;
    expect(cpu.checkInterrupts()).toBe(false);
    cpu.writeMsr(cpu.msr | MSR.EE);
    cpu.checkInterrupts();
    expect([cpu.pc, cpu.spr[378], cpu.spr[379]]).toEqual([0x00F00000 + 38 * 0x20, 0x1000, MSR.GS | MSR.EE]);
    expect(cpu.msr & MSR.GS).toBe(0);
  });

  it('raises the hypervisor privilege interrupt for ehpriv and guest TLB management', () => {
    const cpu = bareGuestCore();
    place(cpu, 0x1000, 0x7C0007A4); // tlbwe
    execute(cpu, 1);
    expect(cpu.pc).toBe(0x00F00000 + 41 * 0x20);
    cpu.setMsr(0);
    place(cpu, 0x1100, 0x7C00021C); // ehpriv, in hypervisor state too
    execute(cpu, 1);
    expect([cpu.pc, cpu.spr[26]]).toEqual([0x00F00000 + 41 * 0x20, 0x1100]);
  });
});
