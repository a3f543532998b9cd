import { describe, expect, it } from 'vitest';
import { CONFIGURABLE_SPRS, SPR_CATALOG, sprByName, sprByNumber } from '../../../src/shared/spr';

// Numbers transcribed from shared/reference/booke-hv-facts.md section 1 (Linux
// reg_booke.h, libos core-regs.h). MAS5 is 339 as Linux and libos have it, not
// QEMU's 0x275.
const REFERENCE: Record<string, number> = {
  DEC: 22, SRR0: 26, SRR1: 27, PID: 48, DECAR: 54, CSRR0: 58, CSRR1: 59, DEAR: 61, ESR: 62, IVPR: 63,
  USPRG0: 256, SPRG3R: 259, SPRG4R: 260, SPRG5R: 261, SPRG6R: 262, SPRG7R: 263, TBL: 268, TBU: 269,
  SPRG0: 272, SPRG1: 273, SPRG2: 274, SPRG3: 275, SPRG4: 276, SPRG5: 277, SPRG6: 278, SPRG7: 279,
  TBWL: 284, TBWU: 285, PIR: 286, PVR: 287, DBSR: 304, DBSRWR: 306, EPCR: 307, DBCR0: 308, DBCR1: 309, DBCR2: 310,
  MSRP: 311, IAC1: 312, IAC2: 313, DAC1: 316, DAC2: 317, TSR: 336, LPIDR: 338, MAS5: 339, TCR: 340, MAS8: 341,
  GSPRG0: 368, GSPRG1: 369, GSPRG2: 370, GSPRG3: 371, GSRR0: 378, GSRR1: 379, GEPR: 380, GDEAR: 381, GPIR: 382, GESR: 383,
  IVOR0: 400, IVOR15: 415, IVOR38: 432, IVOR39: 433, IVOR40: 434, IVOR41: 435,
  GIVOR2: 440, GIVOR3: 441, GIVOR4: 442, GIVOR8: 443, GIVOR13: 444, GIVOR14: 445, GIVPR: 447,
  IVOR35: 531, IVOR36: 532, IVOR37: 533,
  MCSRR0: 570, MCSRR1: 571, MCSR: 572, MCAR: 573, DSRR0: 574, DSRR1: 575, SPRG8: 604, SPRG9: 605,
  MAS0: 624, MAS1: 625, MAS2: 626, MAS3: 627, MAS4: 628, MAS6: 630, TLB0CFG: 688, TLB1CFG: 689, EPR: 702, MAS7: 944,
  EPLC: 947, EPSC: 948, HID0: 1008, L1CSR0: 1010, L1CSR1: 1011, MMUCSR0: 1012, BUCSR: 1013, MMUCFG: 1015, SVR: 1023,
};

describe('SPR catalog', () => {
  it.each(Object.entries(REFERENCE))('%s has the number in the reference (%i)', (name, num) => {
    expect(sprByName(name)?.num).toBe(num);
    expect(sprByNumber(num)?.name).toBe(name);
  });

  it('has unique names and numbers', () => {
    expect(new Set(SPR_CATALOG.map((s) => s.name)).size).toBe(SPR_CATALOG.length);
    expect(new Set(SPR_CATALOG.map((s) => s.num)).size).toBe(SPR_CATALOG.length);
  });

  it('derives privilege from bit 0x10 of the SPR number, except hypervisor-only registers', () => {
    for (const s of SPR_CATALOG) {
      if (s.fixed === 'hypervisor') expect(s.priv, s.name).toBe('hypervisor');
      else expect(s.priv, s.name).toBe(s.num & 0x10 ? 'supervisor' : 'user');
    }
    expect(sprByName('LR')?.priv).toBe('user');
    expect(sprByName('SRR0')?.priv).toBe('supervisor');
  });

  it('duplicates in 2.06 exactly the registers e500mc gives guest copies that guests access directly', () => {
    const dup = SPR_CATALOG.filter((s) => s.isa206 === 'duplicate').map((s) => s.name).sort();
    expect(dup).toEqual(['DEAR', 'EPR', 'ESR', 'PIR', 'SPRG0', 'SPRG1', 'SPRG2', 'SPRG3', 'SRR0', 'SRR1']);
    expect(sprByName('SRR0')?.guestCopy).toBe('GSRR0');
    expect(sprByName('ESR')?.guestCopy).toBe('GESR');
  });

  it('shares in 2.06 SPRG4-7, SPRG9, USPRG0, PID and MAS0-4/6/7 (KVM saves them on every exit)', () => {
    const shared = SPR_CATALOG.filter((s) => s.isa206 === 'shared' && s.access === 'rw').map((s) => s.name).sort();
    expect(shared).toEqual(['MAS0', 'MAS1', 'MAS2', 'MAS3', 'MAS4', 'MAS6', 'MAS7', 'PID', 'SPRG4', 'SPRG5', 'SPRG6', 'SPRG7', 'SPRG9', 'USPRG0']);
  });

  it('traps in 2.06 the vector, timer and configuration registers, keeping guest copies for delivery', () => {
    for (const n of ['IVPR', 'IVOR2', 'IVOR8', 'DEC', 'DECAR', 'TCR', 'TSR', 'CSRR0', 'MCSR', 'DBCR0', 'HID0', 'MMUCSR0', 'SVR']) {
      expect(sprByName(n)?.isa206, n).toBe('trap');
    }
    expect(sprByName('IVPR')?.guestCopy).toBe('GIVPR');
    expect(sprByName('IVOR13')?.guestCopy).toBe('GIVOR13');
  });

  it('never lets guests configure hypervisor-only registers, the user register file or aliases', () => {
    for (const n of ['EPCR', 'MSRP', 'LPIDR', 'MAS5', 'MAS8', 'GSRR0', 'GIVPR', 'XER', 'LR', 'CTR', 'TBL', 'SPRG4R']) {
      expect(sprByName(n)?.allowed, n).toEqual([]);
    }
    expect(sprByName('SPRG4R')?.aliasOf).toBe('SPRG4');
  });

  it('costs die bits only for configurable registers, one per bit', () => {
    for (const s of SPR_CATALOG) expect(s.dieBits, s.name).toBe(s.allowed.length ? s.width : 0);
    expect(CONFIGURABLE_SPRS.every((s) => s.isa206 && s.allowed.includes(s.isa206))).toBe(true);
  });

  it('offers no shared strategy for registers the hypervisor itself uses', () => {
    for (const n of ['SRR0', 'SRR1', 'SPRG0', 'ESR', 'DEAR', 'DEC', 'TCR']) {
      expect(sprByName(n)?.allowed, n).not.toContain('shared');
    }
  });
});
