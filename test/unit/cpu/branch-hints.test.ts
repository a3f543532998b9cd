// Branch hints in the WebAssembly the core makes (wasm-jit.ts Asm.ifLikely,
// regionModule): V8 reads them from a custom section named
// metadata.code.branch_hint, each an offset from the start of the function's
// body that must name an `if`, in increasing order, with 0 (unlikely) or 1.
// A wrong offset is not an error for V8: the hint is silently lost, so these
// tests decode the modules and check every hint against the code.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ALL_PERMISSIONS, Cpu } from '../../../src/main/cpu/cpu';
import { execute } from '../../../src/main/cpu/interp';
import { MSR } from '../../../src/main/cpu/regs';
import { wasmInterpreterModule } from '../../../src/main/cpu/wasm-interp';
import { Asm, OP, regionModule } from '../../../src/main/cpu/wasm-jit';
import { regionModules } from '../../../src/main/cpu/wasm-modules';
import { Bus } from '../../../src/main/devices/bus';
import { addi, bdnz, lis, lwz, mtctr, stw } from '../../support/words';

const IF = 0x04;

function uleb(bytes: Uint8Array, at: number): [value: number, next: number] {
  let v = 0;
  let shift = 0;
  for (;;) {
    const b = bytes[at++]!;
    v += (b & 0x7F) * 2 ** shift;
    if (b < 0x80) return [v, at];
    shift += 7;
  }
}

interface Decoded {
  /** The hints in section order: [offset, value]. */
  hints: [number, number][];
  /** Function 0's body (its locals' declaration first), as a view. */
  body: Uint8Array;
  /** Whether the hint section came before the code section (V8 ignores it after). */
  hintsFirst: boolean;
}

/** The branch hints and function 0's body of a one-function module. */
function decode(bytes: Uint8Array): Decoded {
  let at = 8;
  const out: Decoded = { hints: [], body: new Uint8Array(0), hintsFirst: false };
  let sawCode = false;
  while (at < bytes.length) {
    const id = bytes[at++]!;
    let size: number;
    [size, at] = uleb(bytes, at);
    const end = at + size;
    if (id === 0) {
      let len: number;
      [len, at] = uleb(bytes, at);
      const name = Buffer.from(bytes.subarray(at, at + len)).toString('latin1');
      at += len;
      if (name === 'metadata.code.branch_hint') {
        out.hintsFirst = !sawCode;
        let fns: number;
        [fns, at] = uleb(bytes, at);
        expect(fns).toBe(1);
        let fn: number;
        [fn, at] = uleb(bytes, at);
        expect(fn).toBe(0);
        let n: number;
        [n, at] = uleb(bytes, at);
        for (let i = 0; i < n; i++) {
          let off: number;
          let dataSize: number;
          [off, at] = uleb(bytes, at);
          [dataSize, at] = uleb(bytes, at);
          expect(dataSize).toBe(1);
          out.hints.push([off, bytes[at++]!]);
        }
        expect(at).toBe(end);
      }
    } else if (id === 10) {
      sawCode = true;
      let count: number;
      [count, at] = uleb(bytes, at);
      expect(count).toBe(1);
      let len: number;
      [len, at] = uleb(bytes, at);
      out.body = bytes.subarray(at, at + len);
    }
    at = end;
  }
  return out;
}

/** Checks every hint of a module: before the code, in increasing order, at an `if`, 0 or 1. Returns them. */
function checkHints(bytes: Uint8Array): [number, number][] {
  const d = decode(bytes);
  expect(d.hints.length).toBeGreaterThan(0);
  expect(d.hintsFirst).toBe(true);
  let last = -1;
  for (const [off, value] of d.hints) {
    expect(off).toBeGreaterThan(last);
    last = off;
    expect(d.body[off], `hint at body offset ${off}`).toBe(IF);
    expect([0, 1]).toContain(value);
  }
  // The module with its hints is still one V8 accepts.
  expect(() => new WebAssembly.Module(bytes)).not.toThrow();
  return d.hints;
}

describe('branch hints', () => {
  afterEach(() => vi.restoreAllMocks());

  it('place each hint at its if, counted from the start of the body (the locals\' declaration, then the prologue)', () => {
    const pro = new Asm(64);
    pro.c(7).set(3); // a prologue of some bytes before the body
    const body = new Asm(64);
    body.get(0).op(OP.eqz);
    body.ifLikely(false);
    body.end();
    body.get(1);
    body.ifLikely(true);
    body.end();
    body.c(0).op(OP.end);
    const bytes = regionModule(2, pro.bytes(), body.bytes(), undefined, body.hints);
    const hints = checkHints(bytes);
    expect(hints.map(([, v]) => v)).toEqual([0, 1]);
    // Without hints, no section: the same module as before hints existed.
    expect(decode(regionModule(2, pro.bytes(), body.bytes())).hints).toEqual([]);
  });

  it('mark the WebAssembly interpreter\'s slow paths', () => {
    const hints = checkHints(wasmInterpreterModule());
    // Both directions occur: unlikely slow paths (misses, faults) and a likely write-cache hit (dcbz).
    expect(hints.some(([, v]) => v === 0)).toBe(true);
    expect(hints.some(([, v]) => v === 1)).toBe(true);
  });

  it('mark a region\'s soft-TLB misses, faults and its back edge\'s budget check as unlikely', () => {
    const made: Uint8Array[] = [];
    const get = regionModules.get.bind(regionModules);
    vi.spyOn(regionModules, 'get').mockImplementation((bytes) => { made.push(bytes); return get(bytes); });
    const cpu = new Cpu(new Bus(64 * 1024));
    cpu.writeTlb1(0, 0, 0, 10, ALL_PERMISSIONS, true);
    cpu.setMsr(MSR.ME);
    cpu.jitEnabled = true;
    cpu.jitThreshold = 1;
    cpu.irqPoll = 0;
    // A loop that loads, adds and stores: a region with a load, a store and a back edge.
    const code = [lis(3, 0), addi(3, 3, 0x2000), addi(4, 0, 100), mtctr(4), lwz(5, 3, 0), addi(5, 5, 1), stw(5, 3, 0), bdnz(-12)];
    code.forEach((w, k) => cpu.bus.writeRam(0x1000 + 4 * k, 4, w));
    cpu.pc = 0x1000;
    for (let i = 0; i < 20 && made.length === 0; i++) execute(cpu, 50);
    expect(made.length).toBeGreaterThan(0);
    const hints = checkHints(made[0]!);
    // The load's miss, its fault check, the store's miss, its result check and the budget check.
    expect(hints.filter(([, v]) => v === 0).length).toBeGreaterThanOrEqual(5);
  });
});
