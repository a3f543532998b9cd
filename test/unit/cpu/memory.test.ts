// The guest's WebAssembly memory: RAM from address 0 and one area per core
// after it, seen from JavaScript through views of the same bytes.
import { describe, expect, it } from 'vitest';
import { CoreGroup, Cpu } from '../../../src/main/cpu/cpu';
import { CORE_AREA_BYTES, CORE_SLOT, coreAreaBase, guestMemory, HEAT_PAGE_BYTES, HEAT_SLOTS_MAX, heatArenaBase } from '../../../src/main/cpu/memory';
import { Bus } from '../../../src/main/devices/bus';

describe('guest memory', () => {
  it('puts the core area right after RAM, for the smallest and the largest RAM', () => {
    for (const mb of [64, 2048]) {
      const ramSize = mb * 1024 * 1024;
      const bus = new Bus(ramSize);
      expect(bus.ram8.length).toBe(ramSize);
      expect(bus.ram32.length).toBe(ramSize / 4);
      expect(bus.memory.coreBase).toBe(ramSize);
      expect(bus.memory.heatSlots).toBe(HEAT_SLOTS_MAX);
      // Then the code-line map, a byte per 64 bytes of RAM.
      expect(bus.memory.memory.buffer.byteLength).toBe(ramSize + CORE_AREA_BYTES + HEAT_SLOTS_MAX * HEAT_PAGE_BYTES + ramSize / 64);
      const cpu = new Cpu(bus);
      // The GPRs and the exchange slots are views into the area: what the core writes, the memory holds.
      cpu.gpr[5] = 0x12345678;
      cpu.coreSlots![CORE_SLOT.CR] = -2;
      const words = new Int32Array(bus.memory.memory.buffer, ramSize, 64);
      expect(words[5]).toBe(0x12345678);
      expect(words[CORE_SLOT.CR]).toBe(-2);
      // RAM's last word is RAM; the area does not overlap it.
      bus.ram32[ramSize / 4 - 1] = 7;
      expect(words[0]).toBe(0);
    }
  });

  it('gives each core of a group an area of its own, in order, and a PIR equal to its number', () => {
    const ramSize = 64 * 1024 * 1024;
    const bus = new Bus(ramSize, 3);
    expect(bus.memory.memory.buffer.byteLength).toBe(ramSize + 3 * (CORE_AREA_BYTES + HEAT_SLOTS_MAX * HEAT_PAGE_BYTES) + ramSize / 64);
    const group = new CoreGroup(ramSize);
    const cpus = [0, 1, 2].map(() => new Cpu(bus, undefined, group));
    cpus.forEach((cpu, k) => {
      expect(cpu.index).toBe(k);
      expect(cpu.pir).toBe(k);
      cpu.gpr[3] = 100 + k;
      expect(new Int32Array(bus.memory.memory.buffer, coreAreaBase(bus.memory, k), 4)[3]).toBe(100 + k);
    });
    expect(group.cores).toEqual(cpus);
    // The decoded-instruction cache is the group's: one array for every core.
    expect(cpus[1]!.codePages).toBe(cpus[0]!.codePages);
    // So is the code-line map: one set of bytes in the memory, its address in every core's slot.
    cpus[2]!.codeLines[5] = 1;
    expect(cpus[0]!.codeLines[5]).toBe(1);
    expect(cpus.map((c) => c.coreSlots![CORE_SLOT.CODE_LINES])).toEqual([0, 1, 2].map(() => bus.memory.codeLineBase));
    expect(new Uint8Array(bus.memory.memory.buffer, bus.memory.codeLineBase, 8)[5]).toBe(1);
    // A fourth core has no area.
    expect(() => new Cpu(bus, undefined, group)).toThrow(/no core 3/);
  });

  it('puts each core\'s heat arena after every core area, one after another, no larger than RAM has pages', () => {
    const small = guestMemory(256 * 1024, 2);
    expect(small.heatSlots).toBe(64);
    expect(heatArenaBase(small, 0)).toBe(256 * 1024 + 2 * CORE_AREA_BYTES);
    expect(heatArenaBase(small, 1)).toBe(heatArenaBase(small, 0) + 64 * HEAT_PAGE_BYTES);
    // Then the code-line map: a byte per 64 bytes of RAM, in whole 64 KB pages.
    expect(small.codeLineBase).toBe(heatArenaBase(small, 1) + 64 * HEAT_PAGE_BYTES);
    expect(small.memory.buffer.byteLength).toBe(small.codeLineBase + 65536);
    expect(() => heatArenaBase(small, 2)).toThrow(/no core 2/);
    // A core's heat counts are its translator's: a page's counts live in its arena.
    const bus = new Bus(1 << 20);
    const cpu = new Cpu(bus);
    const jp = cpu.jitPageFor(3);
    expect(jp.heatAddr).toBe(heatArenaBase(bus.memory, 0));
    jp.hot[5] = 77;
    expect(new Int32Array(bus.memory.memory.buffer, heatArenaBase(bus.memory, 0), 8)[5]).toBe(77);
  });

  it('refuses a RAM size that is not whole 64 KB pages, and core counts outside 1-8', () => {
    expect(() => guestMemory(100_000)).toThrow(/64 KB/);
    expect(() => guestMemory(65536, 0)).toThrow(/1 to 8 cores/);
    expect(() => guestMemory(65536, 9)).toThrow(/1 to 8 cores/);
  });

  it('copies bytes in and out of RAM in guest order at every alignment and length (words in bulk, edges one by one)', () => {
    const bus = new Bus(64 * 1024 * 1024);
    const bytes = Uint8Array.from({ length: 64 }, (_, i) => (i * 37 + 11) & 0xFF);
    for (let pa = 0x1000; pa < 0x1004; pa++) {
      for (let n = 0; n <= 13; n++) {
        bus.ram8.fill(0xEE, 0xF00, 0x1100);
        const piece = bytes.subarray(n, n + n + 3);
        bus.writeBytes(pa, piece);
        // Each byte where a byte-wise big-endian store puts it (readRam is the slow path's byte order), nothing around it.
        piece.forEach((b, i) => expect(bus.readRam(pa + i, 1)).toBe(b));
        expect(bus.readRam(pa - 1, 1)).toBe(0xEE);
        expect(bus.readRam(pa + piece.length, 1)).toBe(0xEE);
        expect([...bus.readBytes(pa, piece.length)]).toEqual([...piece]);
        expect([...bus.readBytes(pa - 1, piece.length + 2)]).toEqual([0xEE, ...piece, 0xEE]);
        bus.zeroBytes(pa + 1, n);
        expect([...bus.readBytes(pa, piece.length)]).toEqual([piece[0], ...new Array(n).fill(0), ...piece.subarray(n + 1)]);
        expect(bus.readRam(pa + piece.length, 1)).toBe(0xEE);
      }
    }
    // A whole word reads back as the big-endian value of its bytes.
    bus.writeBytes(0x2000, Uint8Array.of(0x12, 0x34, 0x56, 0x78));
    expect(bus.readRam(0x2000, 4)).toBe(0x12345678);
  });

  it('copies an image larger than one byte-swapping slice exactly, whatever its alignment', () => {
    const bus = new Bus(1 << 20);
    const image = new Uint8Array(3 * 65536 + 7).map((_, i) => (i * 131 + (i >> 9)) & 0xFF);
    for (const pa of [0x10000, 0x10003]) {
      bus.writeBytes(pa, image);
      expect(bus.readBytes(pa, image.length)).toEqual(image);
      // Words past the first slice read back big-endian (the swap was applied to every slice once).
      const at = pa + 70_001;
      expect(bus.readRam(at & ~3, 4) >>> 0).toBe(((image[(at & ~3) - pa]! << 24) | (image[(at & ~3) - pa + 1]! << 16) | (image[(at & ~3) - pa + 2]! << 8) | image[(at & ~3) - pa + 3]!) >>> 0);
    }
  });
});
