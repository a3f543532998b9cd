// The WebAssembly interpreter (cpu/wasm-interp.ts) against the JavaScript
// one: the same words from the same state must leave the same state, word
// for word, on random instructions of every kind it handles (and the forms
// it leaves to JavaScript), random register values, data accesses that hit,
// miss the soft TLB, fault or straddle, and in runs of many instructions
// with branches, a fault in the middle and a store over the code.
import { describe, expect, it } from 'vitest';
import { ALL_PERMISSIONS, Cpu } from '../../../src/main/cpu/cpu';
import { execute } from '../../../src/main/cpu/interp';
import { INSNS } from '../../../src/main/cpu/isa';
import { MAS, MSR } from '../../../src/main/cpu/regs';
import { BLOCK_TRIAL, JS_ONLY_MARKS } from '../../../src/main/cpu/jit';
import { WASM_INTERP_MNEMONICS } from '../../../src/main/cpu/wasm-interp';
import { Bus } from '../../../src/main/devices/bus';
import { add, addi, b, ba, bdnz, bla, blr, bne, bSelf, cmpwi, dcbz, lis, lwz, lwzu, mtctr, mtsprg0, rlwinm, sth, stw } from '../../support/words';

const RAM = 256 * 1024;
const CODE = 0x1000;
/** Data the random addresses aim at (well inside RAM, away from the code). */
const DATA = 0x10000;

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6D2B79F5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** A core with RAM mapped 1:1 (TLB1, 1 MB: addresses past RAM read nothing unless a device is mapped there, past 1 MB TLB misses); `wasm`: the WebAssembly interpreter on. */
function core(wasm: boolean): Cpu {
  const cpu = new Cpu(new Bus(RAM));
  cpu.writeTlb1(0, 0, 0, 10, ALL_PERMISSIONS, true);
  cpu.setMsr(MSR.ME);
  cpu.jitEnabled = wasm;
  cpu.jitThreshold = 0x7FFFFFFF; // no regions: what runs is the interpreters
  cpu.irqPoll = 0;
  return cpu;
}

interface State {
  gpr: number[];
  cr: number;
  ctr: number;
  lr: number;
  xer: number[];
  pc: number;
  msr: number;
  srr: number[];
  esr: number;
  dear: number;
  reservation: number[];
}

function state(cpu: Cpu): State {
  return {
    gpr: [...cpu.gpr],
    cr: cpu.cr | 0,
    ctr: cpu.ctr | 0,
    lr: cpu.lr | 0,
    xer: [cpu.so, cpu.ca, cpu.ov],
    pc: cpu.pc | 0,
    msr: cpu.msr | 0,
    srr: [cpu.spr[26]! | 0, cpu.spr[27]! | 0],
    esr: cpu.spr[62]! | 0,
    dear: cpu.spr[61]! | 0,
    reservation: [cpu.resAddr | 0, cpu.resValue | 0],
  };
}

function ram(cpu: Cpu): Buffer {
  return Buffer.from(cpu.bus.memory!.memory.buffer, 0, RAM);
}

/** Both cores from one random state: registers (a third of them addresses in the data area), CR, CTR, LR, XER, and the data area's bytes. */
function randomState(next: () => number, cores: Cpu[]): void {
  const special = [0, -1, 0x7FFFFFFF, -0x80000000, 1, 31, 32, 63];
  const gpr: number[] = [];
  for (let i = 0; i < 32; i++) {
    const k = next() % 6;
    gpr.push(k < 2 ? DATA + (next() % 0x8000) : k === 2 ? special[next() % special.length]! : k === 3 ? next() % 64 : next() | 0);
  }
  const cr = next() | 0;
  const ctr = next() % 4 === 0 ? 1 : next() % 3 === 0 ? 0 : next() | 0;
  const lr = (CODE + (next() % 0x400) * 4) | (next() % 4);
  const so = next() & 1;
  const ca = next() & 1;
  const ov = next() & 1;
  const data = new Uint8Array(0x9000);
  for (let i = 0; i < data.length; i++) data[i] = next() & 0xFF;
  for (const cpu of cores) {
    cpu.gpr.set(gpr);
    cpu.cr = cr;
    cpu.ctr = ctr;
    cpu.lr = lr;
    cpu.so = so;
    cpu.ca = ca;
    cpu.ov = ov;
    for (let i = 0; i < data.length; i += 4) cpu.bus.writeRam(DATA + i, 4, (data[i]! << 24) | (data[i + 1]! << 16) | (data[i + 2]! << 8) | data[i + 3]!);
  }
}

/** A random word of the instruction: its opcode bits, everything else random (a D-form's displacement small and often aligned). */
function randomWord(next: () => number, mnem: string): number {
  const info = INSNS.find((i) => i.mnem === mnem)!;
  let w = next() & 0x03FFFFFF;
  if (info.primary === 31 || info.primary === 19) {
    if (info.form === 'A-isel') w = (w & ~0x3E) | (15 << 1);
    else {
      w = (w & ~0x7FE) | (info.xo! << 1);
      // Now and then the OE form, which the WebAssembly leaves to JavaScript.
      if (info.oe && next() % 4 === 0) w |= 0x400;
    }
    if (mnem === 'mfspr' || mnem === 'mtspr') {
      // Mostly LR and CTR (its own), sometimes another SPR (JavaScript's): the SPR field holds the number's halves swapped.
      const spr = next() % 4 === 0 ? 272 + (next() % 4) : 8 + (next() & 1);
      w = (w & ~(0x3FF << 11)) | ((((spr & 0x1F) << 5) | (spr >>> 5)) << 11);
    }
    if (mnem === 'mfcr' && next() % 4 !== 0) w &= ~0x00100000;
    // Traps: half of them never taken (TO 0, as Linux's `twi 0,rX,0` after an I/O read).
    if (info.form === 'X-trap' && next() % 2 === 0) w &= ~(31 << 21);
  } else if (info.form === 'D-trap') {
    if (next() % 2 === 0) w &= ~(31 << 21);
  } else if (info.form.startsWith('D-load') || info.form.startsWith('D-store') || info.form === 'D-multiple') {
    const d = next() % 8 === 0 ? next() & 0xFFFF : ((next() % 64) - 32) * (next() % 4 === 0 ? 1 : 4);
    w = (w & ~0xFFFF) | (d & 0xFFFF);
  } else if (info.form.startsWith('D-') && next() % 3 === 0) {
    // Immediates at the edges (equal to a register's special value now and then: carries and compares at equality).
    const edges = [0, 0xFFFF, 1, 0x8000, 0x7FFF, 31, 32];
    w = (w & ~0xFFFF) | edges[next() % edges.length]!;
  } else if (info.form === 'B') {
    w = (w & ~0xFFFF) | (((next() % 64) - 32) * 4 & 0xFFFF) | (next() & 3);
  }
  return ((info.primary << 26) | w) | 0;
}

/**
 * A reservation for both cores: none, elsewhere, or (for most stwcx. words) at
 * the word's effective address, holding the value there or another.
 */
function reserve(next: () => number, word: number, cores: Cpu[]): void {
  const [first] = cores;
  const ra = (word >>> 16) & 31;
  const rb = (word >>> 11) & 31;
  // Mostly aligned effective addresses for the reservation pair (lwarx's misaligned one is an alignment interrupt).
  if (word >>> 26 === 31 && (((word >>> 1) & 0x3FF) === 20 || ((word >>> 1) & 0x3FF) === 150) && rb !== ra && next() % 4 !== 0) {
    const base = ra === 0 ? 0 : first!.gpr[ra]!;
    for (const cpu of cores) cpu.gpr[rb] = (cpu.gpr[rb]! - ((base + cpu.gpr[rb]!) & 3)) | 0;
  }
  const ea = ((ra === 0 ? 0 : first!.gpr[ra]!) + first!.gpr[(word >>> 11) & 31]!) | 0;
  const k = next() % 4;
  const addr = k === 0 ? -1 : k === 1 ? (DATA + (next() % 0x8000)) & ~3 : ea;
  const inRam = addr >= 0 && addr + 4 <= RAM;
  const value = k === 3 && inRam ? first!.bus.ram32[addr >>> 2]! : next() | 0;
  for (const cpu of cores) {
    cpu.resAddr = addr;
    cpu.resValue = value;
  }
}

describe('the WebAssembly interpreter against the JavaScript one', () => {
  it('covers only instructions isa.ts knows', () => {
    for (const m of WASM_INTERP_MNEMONICS) expect(INSNS.some((i) => i.mnem === m), m).toBe(true);
  });

  it('leaves the same state after each of thousands of random single instructions', () => {
    const next = rng(0x5EED);
    const wasm = core(true);
    const js = core(false);
    let ranInWasm = 0;
    let cases = 0;
    const inWasm = new Map<string, number>();
    for (const mnem of WASM_INTERP_MNEMONICS) {
      for (let k = 0; k < 200; k++) {
        randomState(next, [wasm, js]);
        const word = randomWord(next, mnem);
        // A quarter of the cases in user mode (the privileged instructions then raise a program interrupt).
        const msr = MSR.ME | (next() % 4 === 0 ? MSR.PR : 0);
        reserve(next, word, [wasm, js]);
        for (const cpu of [wasm, js]) {
          // As a debugger writes: the decoded copy of the word goes too.
          for (let b = 0; b < 4; b++) cpu.writePhysical(CODE + b, word >>> (24 - 8 * b));
          cpu.pc = CODE;
          cpu.setMsr(msr);
          cpu.irqPoll = 0;
        }
        const before = wasm.wasmInterpInsns;
        const ranW = execute(wasm, 1);
        const ranJ = execute(js, 1);
        ranInWasm += wasm.wasmInterpInsns - before;
        inWasm.set(mnem, (inWasm.get(mnem) ?? 0) + wasm.wasmInterpInsns - before);
        cases++;
        const what = `${mnem} 0x${(word >>> 0).toString(16)}`;
        expect(ranW, what).toBe(ranJ);
        expect(state(wasm), what).toEqual(state(js));
        expect(ram(wasm).equals(ram(js)), `${what}: RAM`).toBe(true);
      }
    }
    // Most of the words are the WebAssembly's own (the rest: OE forms, other SPRs, invalid update forms, traps taken,
    // misaligned lwarx; an access that faults ran nothing), and every handler ran in a quarter of its cases at least.
    expect(ranInWasm).toBeGreaterThan(cases * 0.7);
    for (const mnem of WASM_INTERP_MNEMONICS) expect(inWasm.get(mnem) ?? 0, mnem).toBeGreaterThanOrEqual(50);
  });

  it('starts no run again at a word where one ran less than a few instructions, until the word is written', () => {
    const cpu = core(true);
    const toJs = mtsprg0(3); // JavaScript's
    const inc = addi(4, 4, 1);
    [inc, toJs, inc, inc, inc, inc].forEach((w, k) => cpu.bus.writeRam(CODE + 4 * k, 4, w));
    cpu.pc = CODE;
    expect(execute(cpu, 6)).toBe(6);
    expect(cpu.gpr[4]).toBe(5);
    const marks = cpu.jitPageFor(CODE >>> 12).jsStarts!;
    // The run from CODE stopped after one instruction, in front of mtspr: CODE is marked; the run after it was long.
    expect([...marks.subarray(0, 6)]).toEqual([1, 0, 0, 0, 0, 0]);
    const before = cpu.wasmInterpInsns;
    cpu.pc = CODE;
    execute(cpu, 6);
    expect(cpu.wasmInterpInsns - before).toBe(4); // the addi at CODE and mtspr in JavaScript, the rest in WebAssembly
    for (let k = 0; k < 4; k++) cpu.writePhysical(CODE + k, inc >>> (24 - 8 * k));
    expect(marks[0]).toBe(0);

    // A long run whose loads all take the core's slow path (a page the soft TLB has not seen, each) is not marked:
    // the WebAssembly's calls of the slow path cost no more than the JavaScript interpreter's.
    // r3 = 0x10000: the loads reach 0x8000-0x13000, a page each.
    const loads = [lis(3, 1), ...Array.from({ length: 12 }, (_, k) => lwz(5, 3, k * 0x1000 - 0x8000))];
    loads.forEach((w, k) => cpu.bus.writeRam(CODE + 0x100 + 4 * k, 4, w));
    cpu.pc = CODE + 0x100;
    const beforeLoads = cpu.wasmInterpInsns;
    expect(execute(cpu, loads.length)).toBe(loads.length);
    expect(cpu.wasmInterpInsns - beforeLoads).toBe(loads.length);
    expect(marks[0x40]).toBe(0);

    // Enough marked words, and the page is the JavaScript interpreter's alone.
    const page = cpu.jitPageFor(CODE >>> 12);
    const pairs = Array.from({ length: JS_ONLY_MARKS + 2 }, () => [inc, toJs]).flat();
    pairs.forEach((w, k) => cpu.bus.writeRam(CODE + 0x400 + 4 * k, 4, w));
    cpu.pc = CODE + 0x400;
    execute(cpu, pairs.length);
    expect(page.jsOnly).toBe(true);
    const inWasm = cpu.wasmInterpInsns;
    cpu.pc = CODE + 0x400;
    expect(execute(cpu, pairs.length)).toBe(pairs.length);
    expect(cpu.wasmInterpInsns).toBe(inWasm);
  });

  it('runs a loop of loads, stores, compares and branches to the same end, with a fault and a store over its code', () => {
    const program = [
      addi(3, 0, 0x1FFC), // r3: the data pointer (before the first word)
      addi(4, 0, 0), // r4: the sum
      addi(5, 0, 200), mtctr(5),
      lwzu(6, 3, 4), // loop:
      add(4, 4, 6),
      rlwinm(7, 4, 3, 0, 31),
      stw(7, 3, 0x100),
      cmpwi(6, 0),
      bne(8),
      addi(4, 4, 1),
      bdnz(-28),
      sth(4, 0, CODE + 4 * 13 + 2), // a store over the next word's immediate: it must run as stored (addi r9,0,<r4's low half>)
      addi(9, 0, 7),
      lwz(8, 0, -4), // a fault (a TLB miss at 0xFFFFFFFC)
    ].map((w) => w | 0);
    const results = [true, false].map((wasm) => {
      const cpu = core(wasm);
      program.forEach((w, k) => cpu.bus.writeRam(CODE + 4 * k, 4, w));
      for (let i = 0; i < 256; i++) cpu.bus.writeRam(0x2000 + 4 * i, 4, i % 5 === 0 ? 0 : i * 0x01010101);
      cpu.pc = CODE;
      const ran = execute(cpu, 5000);
      return { ran, state: state(cpu), ram: Buffer.from(ram(cpu)), inWasm: cpu.wasmInterpInsns };
    });
    const [w, j] = results;
    expect(w!.ran).toBe(j!.ran);
    expect(w!.state).toEqual(j!.state);
    expect(w!.ram.equals(j!.ram)).toBe(true);
    expect(j!.inWasm).toBe(0);
    expect(w!.inWasm).toBeGreaterThan(1000);
    // The store over the code ran as stored, and the fault went to the data TLB miss.
    expect(w!.state.gpr[9]).toBe((w!.state.gpr[4]! << 16) >> 16);
    expect(w!.state.dear).toBe(-4);
  });

  it('goes on into pages the interpreter linked, by branches and at a page\'s end, and not after their translation changed', () => {
    const FAR = 0xFF000000 | 0; // outside the 1 MB entry (and in reach of an absolute branch): a 4 KB TLB1 entry of its own, first to 0x2000, then to 0x5000
    const mapFar = (cpu: Cpu, pa: number) => cpu.writeTlb1(1, FAR, pa, 2, MAS.SR | MAS.SW | MAS.SX);
    // A: 50 calls of a function on the far page (r3 += 1 at 0x2000, += 100 at 0x5000), then 30 passes of a loop
    // that runs off the end of page 0x3000 into 0x4000 (r5 += 7 a pass) and branches back, then `b .`.
    const a = [addi(4, 0, 50), mtctr(4), bla(FAR), bdnz(-4), addi(4, 0, 30), mtctr(4), ba(0x3FF8)];
    const steps = 2 + 50 * 4 + 3 + 30 * 4;
    const results = [true, false].map((wasm) => {
      const cpu = core(wasm);
      a.forEach((w, k) => cpu.bus.writeRam(CODE + 4 * k, 4, w));
      [addi(3, 3, 1), blr].forEach((w, k) => cpu.bus.writeRam(0x2000 + 4 * k, 4, w));
      [addi(3, 3, 100), blr].forEach((w, k) => cpu.bus.writeRam(0x5000 + 4 * k, 4, w));
      [addi(5, 5, 1), addi(5, 5, 2), addi(5, 5, 4), bdnz(-12), bSelf].forEach((w, k) => cpu.bus.writeRam(0x3FF8 + 4 * k, 4, w));
      mapFar(cpu, 0x2000);
      let runs = 0;
      if (wasm) {
        cpu.makeWasmInterpreter();
        const fn = cpu.wasmInterpFn!;
        cpu.wasmInterpFn = (pc0, n, dKey, area) => { runs++; return fn(pc0, n, dKey, area); };
      }
      cpu.pc = CODE;
      expect(execute(cpu, steps)).toBe(steps);
      const first = { r3: cpu.gpr[3], r5: cpu.gpr[5], pc: cpu.pc, runs };
      // The far page now translates elsewhere (tlbwe, no branch in between): the next calls must run the new code.
      mapFar(cpu, 0x5000);
      cpu.pc = CODE;
      cpu.gpr[5] = 0;
      expect(execute(cpu, steps)).toBe(steps);
      return { first, state: state(cpu), inWasm: cpu.wasmInterpInsns, runs };
    });
    const [w, j] = results;
    expect(w!.first).toEqual({ ...j!.first, runs: w!.first.runs });
    expect(j!.first).toMatchObject({ r3: 50, r5: 210, pc: 0x4008 });
    expect(w!.state).toEqual(j!.state);
    expect(j!.state.gpr[3]).toBe(50 + 5000);
    // Most of it ran in WebAssembly, in a few runs: each page fetched once by the interpreter, linked, then
    // crossed into without it (a run ends at the budget, a fault, or where no link is).
    expect(w!.inWasm).toBeGreaterThan(2 * steps - 20);
    expect(w!.first.runs).toBeLessThan(10);
  });

  it('calls a block that passed its trial itself, with the same results, to a fault inside it', () => {
    const FAR = 0xFF000000 | 0; // 4 KB of data (TLB1 entry 1, to 0x8000); the word after it is a DTLB miss
    // loop: a block of 17 (a load walking the far page, its sum, 15 additions), then mtspr (JavaScript's), then
    // the loop's count and 6 more additions, so that the WebAssembly's runs are long and come back to the block.
    const body = [lwzu(6, 3, 4), add(4, 4, 6), ...Array.from({ length: 15 }, (_, k) => addi(7 + (k % 4), 7 + (k % 4), k + 1))];
    const program = [
      lis(3, FAR >> 16), addi(3, 3, -4), addi(20, 0, 2000),
      ...body,
      mtsprg0(4), // neither's
      ...Array.from({ length: 6 }, (_, k) => addi(11 + k, 11 + k, 1)),
      addi(20, 20, -1), cmpwi(20, 0), bne(-(body.length + 1 + 6 + 2) * 4),
      bSelf,
    ];
    const loop = CODE + 3 * 4;
    const results = [true, false].map((wasm) => {
      const cpu = core(wasm);
      cpu.jitThreshold = 64;
      cpu.writeTlb1(1, FAR, 0x8000, 2, MAS.SR | MAS.SW);
      for (let i = 0; i < 1024; i++) cpu.bus.writeRam(0x8000 + 4 * i, 4, i * 3 + 1);
      program.forEach((w, k) => cpu.bus.writeRam(CODE + 4 * k, 4, w));
      // Every interrupt's handler (IVPR 0, IVORs 0x800): r31 counts its passes, so the slice's budget left after the
      // fault (where the fault was taken) shows in r31.
      cpu.bus.writeRam(0x800, 4, addi(31, 31, 1));
      cpu.bus.writeRam(0x804, 4, b(-4));
      for (let v = 400; v <= 415; v++) cpu.writeSpr(v, 0x800);
      cpu.pc = CODE;
      let ran = 0;
      for (let k = 0; k < 40 && cpu.spr[61] === 0; k++) {
        cpu.irqPoll = 0;
        ran += execute(cpu, 5000);
      }
      const blk = cpu.jitPageFor(CODE >>> 12).blocks?.[(loop & 0xFFF) >>> 2] ?? null;
      return { ran, state: state(cpu), ram: Buffer.from(ram(cpu)), jitInsns: cpu.jitInsns, calls: blk?.calls ?? 0 };
    });
    const [w, j] = results;
    expect(w!.ran).toBe(j!.ran);
    expect(w!.state).toEqual(j!.state);
    expect(w!.ram.equals(j!.ram)).toBe(true);
    // It ended at the DTLB miss of the 1,025th load (DEAR the word after the far page), inside the block, and
    // the handler ran what was left of the slice.
    expect(j!.state.dear >>> 0).toBe((FAR + 4096) >>> 0);
    expect(j!.state.gpr[31]).toBeGreaterThan(100);
    // The interpreter called the block for its trial, and where a slice's end was near; the WebAssembly called
    // it the other times (about 768), and what those ran counts as translated.
    expect(w!.calls).toBeGreaterThanOrEqual(BLOCK_TRIAL);
    expect(w!.calls).toBeLessThan(BLOCK_TRIAL + 100);
    expect(w!.jitInsns).toBeGreaterThan(1000 * body.length);
  });

  it('zeroes cache lines with dcbz in WebAssembly and in regions as the core does, over data, code and a fresh page', () => {
    // r3 walks 3 pages of data from DATA + 8 (dcbz clears the line around it), then r5 walks the code page's
    // second half (its loop is in the first half: stores over decoded code).
    const program = [lis(3, DATA >>> 16), addi(3, 3, 8), addi(4, 0, 3 * 64), mtctr(4), dcbz(0, 3), addi(3, 3, 64), bdnz(-8),
      addi(5, 0, CODE + 0x800), addi(4, 0, 32), mtctr(4), dcbz(5, 0), addi(5, 5, 64), bdnz(-8), bSelf];
    const results = [[true, 4], [true, 0x7FFFFFFF], [false, 0x7FFFFFFF]].map(([wasm, threshold]) => {
      const cpu = core(wasm as boolean);
      cpu.jitThreshold = threshold as number;
      for (let i = 0; i < 0x4000; i += 4) cpu.bus.writeRam(DATA + i, 4, 0x01010101 * ((i >>> 2) & 0xFF));
      for (let i = 0x800; i < 0x1000; i += 4) cpu.bus.writeRam(CODE + i, 4, bSelf);
      program.forEach((w, k) => cpu.bus.writeRam(CODE + 4 * k, 4, w));
      cpu.pc = CODE;
      let ran = 0;
      for (let k = 0; k < 10; k++) {
        cpu.irqPoll = 0;
        ran += execute(cpu, 100);
      }
      return { ran, state: state(cpu), ram: Buffer.from(ram(cpu)), jit: cpu.jitInsns, wasm: cpu.wasmInterpInsns };
    });
    const [region, interp, js] = results;
    for (const r of [region!, interp!]) {
      expect(r.ran).toBe(js!.ran);
      expect(r.state).toEqual(js!.state);
      expect(r.ram.equals(js!.ram)).toBe(true);
    }
    expect(js!.state.pc).toBe(CODE + 13 * 4);
    expect(region!.jit).toBeGreaterThan(100);
    expect(interp!.wasm).toBeGreaterThan(300);
    // The lines are zero, the rest of the data as it was.
    const data = new DataView(js!.ram.buffer, js!.ram.byteOffset);
    expect(js!.ram.subarray(DATA, DATA + 3 * 4096).every((b) => b === 0)).toBe(true);
    expect(data.getUint32(DATA + 3 * 4096 + 4, true)).not.toBe(0);
  });

  it('ends a slice for an interrupt check where the JavaScript interpreter does: not at a page\'s end, nor in front of an instruction it leaves to it', () => {
    const DEVICE = 0x80000; // mapped, past RAM: a device whose read raises the external line
    // A: a device read, then straight line off the end of the page into the next, then a taken branch.
    // B: a device read, then an instruction the WebAssembly leaves (mtspr), straight line, a taken branch.
    const A = 0x1FE8;
    const B = 0x3000;
    const code: [number, number[]][] = [
      [A, [lwz(5, 3, 0), addi(6, 6, 1), addi(6, 6, 1), addi(6, 6, 1), addi(6, 6, 1), addi(6, 6, 1),
        addi(7, 7, 1), addi(7, 7, 1), b(8), addi(8, 8, 1), addi(9, 9, 1), b(0)]],
      [B, [lwz(5, 3, 0), addi(6, 6, 1), mtsprg0(4), addi(7, 7, 1), addi(7, 7, 1), b(8), addi(8, 8, 1), addi(9, 9, 1), b(0)]],
    ];
    const results = [true, false].map((wasm) => {
      const cpu = core(wasm);
      let armed = false;
      (cpu.bus as Bus).map(DEVICE, 0x1000, { name: 'raiser', read: () => { if (armed) cpu.setExternalInput(true); return 7; }, write: () => {} });
      for (const [at, words] of code) words.forEach((w, k) => cpu.bus.writeRam(at + 4 * k, 4, w));
      cpu.bus.writeRam(0x800, 4, b(0)); // the external interrupt's handler
      for (let v = 400; v <= 415; v++) cpu.writeSpr(v, 0x800);
      const out: number[][] = [];
      for (const start of [A, B]) {
        // Twice: the first pass (nothing raised) fetches the pages (the WebAssembly's links), the second raises.
        for (const raise of [false, true]) {
          cpu.setExternalInput(false);
          cpu.setMsr(MSR.ME | (raise ? MSR.EE : 0));
          cpu.gpr[3] = DEVICE;
          armed = raise;
          cpu.pc = start;
          cpu.irqPoll = 0;
          const ran = execute(cpu, 200);
          // As the machine's run loop does between slices.
          cpu.irqPoll = 0;
          if (cpu.interruptPending()) cpu.checkInterrupts();
          out.push([ran, cpu.pc, cpu.spr[26]! | 0, cpu.gpr[6]!, cpu.gpr[7]!, cpu.gpr[8]!, cpu.gpr[9]!]);
        }
      }
      return out;
    });
    const [w, j] = results;
    expect(w).toEqual(j);
    // The JavaScript interpreter ended the raising slices at the taken branch (A: SRR0 its target, across the
    // page) and after the mtspr (B: it looks at irqPoll after an SPR write).
    expect(j![1]![2]).toBe(A + 10 * 4);
    expect(j![3]![2]).toBe(B + 3 * 4);
  });
});
