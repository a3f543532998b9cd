// When the interpreter leaves its loop to let the run loop look for
// interrupts: an rfi that re-enables MSR[EE] leaves only if an interrupt can
// be taken at its target (a software TLB refill's rfi with nothing pending
// runs on), and one that can is taken before the target's first instruction.
import { describe, expect, it } from 'vitest';
import { Cpu } from '../../../src/main/cpu/cpu';
import { execute } from '../../../src/main/cpu/interp';
import { IVOR, MAS, MSR } from '../../../src/main/cpu/regs';
import { Bus } from '../../../src/main/devices/bus';

const RFI = ((19 << 26) | (50 << 1)) | 0;
const ADDI = (rt: number, ra: number, v: number) => ((14 << 26) | (rt << 21) | (ra << 16) | (v & 0xFFFF)) | 0;
const HANDLER = 0x3000;
const TARGET = 0x2000;

/** A core with RAM mapped 1:1 (TLB1), in an interrupt handler with EE off about to rfi to TARGET with EE on. */
function inHandler(): Cpu {
  const cpu = new Cpu(new Bus(1 << 20));
  cpu.spr[624] = MAS.TLBSEL;
  cpu.spr[625] = MAS.V | MAS.IPROT | (10 << MAS.TSIZE_SHIFT);
  cpu.spr[626] = 0;
  cpu.spr[627] = MAS.SR | MAS.SW | MAS.SX;
  cpu.spr[944] = 0;
  cpu.tlbwe();
  cpu.writeSpr(400 + IVOR.EXTERNAL, 0x5000);
  cpu.spr[26] = TARGET; // SRR0
  cpu.spr[27] = MSR.EE | MSR.ME; // SRR1
  cpu.setMsr(MSR.ME);
  [RFI].forEach((w, k) => cpu.bus.writeRam(HANDLER + 4 * k, 4, w));
  [ADDI(3, 3, 1), ADDI(3, 3, 1), ADDI(3, 3, 1)].forEach((w, k) => cpu.bus.writeRam(TARGET + 4 * k, 4, w));
  cpu.pc = HANDLER;
  cpu.irqPoll = 0;
  return cpu;
}

describe('looking for interrupts after rfi', () => {
  it('runs on at the target when nothing is pending', () => {
    const cpu = inHandler();
    expect(execute(cpu, 4)).toBe(4);
    expect(cpu.gpr[3]).toBe(3);
    expect(cpu.irqPoll).toBe(0);
  });

  it('stops at the target, before its first instruction, when an interrupt is pending', () => {
    const cpu = inHandler();
    cpu.setExternalInput(true);
    cpu.irqPoll = 0; // looked at already, with EE off: nothing could be taken then
    expect(execute(cpu, 4)).toBe(1);
    expect(cpu.pc).toBe(TARGET);
    expect(cpu.irqPoll).toBe(1);
    expect(cpu.checkInterrupts()).toBe(true);
    expect(cpu.spr[26]).toBe(TARGET); // SRR0: the external interrupt is taken at the target
    expect(cpu.pc).toBe(0x5000);
    expect(cpu.gpr[3]).toBe(0);
  });
});
