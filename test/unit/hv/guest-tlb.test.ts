// The shadow TLB as KVM builds it, checked on the model alone: pre-mapping on
// tlbwe, host-page-sized shadows, the finite host TLB0, and two guests whose
// vCPUs share one core evicting each other's shadows.
import { describe, expect, it } from 'vitest';
import { Cpu } from '../../../src/main/cpu/cpu';
import { MAS } from '../../../src/main/cpu/regs';
import { Bus } from '../../../src/main/devices/bus';
import { GuestTlb } from '../../../src/main/hv/guest-tlb';
import { createHostTlb, PrivateHostTlb, SharedHostTlb } from '../../../src/main/link/host-tlb';

/** A guest (its own core model and guest TLB) with one 16 MB TLB1 entry mapping VA 0x40000000 to PA 0x02000000. */
function guest(lpid: number) {
  const cpu = new Cpu(new Bus(64 << 20));
  const g = new GuestTlb(cpu, lpid);
  g.adoptBootEntries();
  cpu.spr[624] = MAS.TLBSEL | (2 << MAS.ESEL_SHIFT);
  cpu.spr[625] = MAS.V | (14 << MAS.TSIZE_SHIFT);
  cpu.spr[626] = 0x40000000;
  cpu.spr[627] = 0x02000000 | MAS.SR | MAS.SW;
  cpu.spr[944] = 0;
  g.write();
  return { cpu, g };
}

/** Virtual misses when the guest touches `pages` consecutive 4 KB pages of its mapping. */
function touch(x: ReturnType<typeof guest>, pages: number): number {
  let refills = 0;
  for (let i = 0; i < pages; i++) {
    const ea = 0x40000000 + i * 4096;
    if (x.cpu.tlb.lookup(ea, 0, 0, 1, x.cpu.lpid) < 0) {
      expect(x.g.refill(ea, 0)).toBe(true);
      refills++;
    }
  }
  return refills;
}

describe('shadow TLB', () => {
  it('pre-maps the first page of an entry the guest writes, then maps one host page per miss', () => {
    const a = guest(1);
    a.cpu.lpid = 1;
    expect(a.g.shadowsWritten).toBe(1);
    expect(touch(a, 16)).toBe(15);
    expect(touch(a, 16)).toBe(0);
  });

  it('keeps at most what host TLB0 holds: 512 pages fit, 1024 evict each other', () => {
    const a = guest(1);
    a.cpu.lpid = 1;
    touch(a, 512);
    expect(touch(a, 512)).toBe(0);
    touch(a, 1024);
    expect(touch(a, 1024)).toBe(1024);
  });

  it('maps a whole huge host page with one shadow', () => {
    const a = guest(1);
    a.cpu.lpid = 1;
    a.g.setHostPage(16384);
    expect(touch(a, 1024)).toBe(1);
  });

  it('leaves two guests on cores of their own alone, and lets them evict each other on a shared core', () => {
    const run = (shared: boolean) => {
      const a = guest(1);
      const b = guest(2);
      a.cpu.lpid = 1;
      b.cpu.lpid = 2;
      const host = shared ? new SharedHostTlb(createHostTlb()) : null;
      a.g.setHost(host ?? new PrivateHostTlb());
      b.g.setHost(host ?? new PrivateHostTlb());
      touch(a, 512);
      touch(b, 512); // the same sets: on a shared core, every slot of a's
      a.g.syncHost();
      return { again: touch(a, 512), evicted: a.g.evictedByOthers };
    };
    expect(run(false)).toEqual({ again: 0, evicted: 0 });
    const shared = run(true);
    expect(shared.evicted).toBe(512);
    expect(shared.again).toBe(512);
  });
});
