// The ppce500 board's PCI host controller (an MPC8540-style "fsl,mpc8540-pci"
// block at CCSR+0x8000) as QEMU 7.2 presents it with no PCI devices plugged
// in (`-nic none`): configuration space reached through CFG_ADDR/CFG_DATA,
// one function on bus 0 (the host bridge itself, 00.00.0, vendor Freescale),
// nothing else on any bus, and the address-translation (ATMU) registers kept
// as written. The windows those registers describe lead to an empty bus, so
// they are not mapped: an access through one reads 0, as on QEMU.
//
// Register block (offsets within the 4 KB region):
//   0x000 CFG_ADDR  big-endian; bit 31 enable, bus 23:16, devfn 15:8, register 7:2
//   0x004 CFG_DATA  little-endian window onto the selected configuration dword
//   0xC20-0xC9F     outbound windows 1-4: POTAR +0, POTEAR +4, POWBAR +8, POWAR +0x10
//   0xDA0-0xDFF     inbound windows 3, 2, 1: PITAR +0, PIWBAR +8, PIWBEAR +0xC, PIWAR +0x10
//   0xE20           gasket timer
// Everything else reads 0 and ignores writes, as QEMU's container does.

import { type MmioDevice, registerSlice } from './bus';

const CFG_ADDR = 0x0;
const CFG_DATA = 0x4;
const CFG_ENABLE = 0x80000000;

/** Offsets of the ATMU and gasket registers that hold what is written to them. */
const ATMU_REGISTERS: ReadonlySet<number> = new Set([
  ...[0xC20, 0xC40, 0xC60, 0xC80].flatMap((w) => [w, w + 0x4, w + 0x8, w + 0x10]),
  ...[0xDA0, 0xDC0, 0xDE0].flatMap((w) => [w, w + 0x8, w + 0xC, w + 0x10]),
  0xE20,
]);

/** The host bridge function's identity, as QEMU's "e500-host-bridge". */
export const HOST_BRIDGE = {
  vendor: 0x1957, // Freescale
  device: 0x0030, // MPC8533E
  classCode: 0x0B2000, // processor, PowerPC
  subsystemVendor: 0x1AF4, // QEMU's default subsystem for devices that name none
  subsystem: 0x1100,
  /** BAR 0 exposes the 1 MB CCSR block: a 32-bit, non-prefetchable memory BAR. */
  bar0Size: 0x100000,
} as const;

/** Bits of the command register software can change (QEMU's mask for a conventional PCI function). */
const COMMAND_WRITABLE = 0x0547;

/** One PCI function's 256-byte configuration space with per-byte write masks. */
class ConfigSpace {
  readonly bytes = new Uint8Array(256);
  private readonly writable = new Uint8Array(256);

  constructor() {
    const b = this.bytes;
    const put16 = (at: number, v: number) => { b[at] = v & 0xFF; b[at + 1] = v >>> 8; };
    put16(0x00, HOST_BRIDGE.vendor);
    put16(0x02, HOST_BRIDGE.device);
    b[0x09] = HOST_BRIDGE.classCode & 0xFF;
    b[0x0A] = (HOST_BRIDGE.classCode >>> 8) & 0xFF;
    b[0x0B] = HOST_BRIDGE.classCode >>> 16;
    put16(0x2C, HOST_BRIDGE.subsystemVendor);
    put16(0x2E, HOST_BRIDGE.subsystem);
    const w = this.writable;
    w[0x04] = COMMAND_WRITABLE & 0xFF;
    w[0x05] = COMMAND_WRITABLE >>> 8;
    w[0x0C] = 0xFF; // cache line size (the latency timer stays 0, as on QEMU)
    const barMask = -HOST_BRIDGE.bar0Size >>> 0; // size-aligned address bits
    for (let i = 0; i < 4; i++) w[0x10 + i] = (barMask >>> (8 * i)) & 0xFF;
    w[0x3C] = 0xFF; // interrupt line
  }

  read(at: number, size: 1 | 2 | 4): number {
    let v = 0;
    for (let i = size - 1; i >= 0; i--) v = (v << 8) | this.bytes[at + i]!;
    return v >>> 0;
  }

  write(at: number, size: 1 | 2 | 4, value: number): void {
    for (let i = 0; i < size; i++) {
      const m = this.writable[at + i]!;
      const byte = (value >>> (8 * i)) & 0xFF;
      this.bytes[at + i] = (this.bytes[at + i]! & ~m) | (byte & m);
    }
  }
}

export class PciHost implements MmioDevice {
  readonly name = 'pci';
  private cfgAddr = 0;
  private bridge = new ConfigSpace();
  private readonly atmu = new Map<number, number>();

  reset(): void {
    this.cfgAddr = 0;
    this.bridge = new ConfigSpace();
    this.atmu.clear();
  }

  /** The function CFG_ADDR selects, or null when nothing answers there. */
  private selected(): ConfigSpace | null {
    const a = this.cfgAddr;
    if (!(a & CFG_ENABLE)) return null;
    const bus = (a >>> 16) & 0xFF;
    const devfn = (a >>> 8) & 0xFF;
    return bus === 0 && devfn === 0 ? this.bridge : null;
  }

  read(offset: number, size: 1 | 2 | 4): number {
    if (offset >= CFG_DATA && offset < CFG_DATA + 4) {
      const fn = this.selected();
      // Nothing at the address (or configuration access disabled): all ones.
      const little = fn === null ? (size === 4 ? 0xFFFFFFFF : (1 << (8 * size)) - 1) : fn.read((this.cfgAddr & 0xFC) | (offset & 3), size);
      return swap(little, size);
    }
    const word = offset & ~3;
    let v = 0;
    if (word === CFG_ADDR) v = this.cfgAddr;
    else if (ATMU_REGISTERS.has(word)) v = this.atmu.get(word) ?? 0;
    else return 0;
    return registerSlice(v >>> 0, offset, size);
  }

  write(offset: number, size: 1 | 2 | 4, value: number): void {
    if (offset >= CFG_DATA && offset < CFG_DATA + 4) {
      this.selected()?.write((this.cfgAddr & 0xFC) | (offset & 3), size, swap(value, size));
      return;
    }
    const word = offset & ~3;
    if (word === CFG_ADDR) {
      if (offset === CFG_ADDR && size === 4) this.cfgAddr = value >>> 0; // QEMU takes whole-word writes only
    } else if (ATMU_REGISTERS.has(word)) this.atmu.set(word, widen(this.atmu.get(word) ?? 0, offset, size, value));
  }
}

/** Reverses the bytes of a little-endian register value of `size` bytes (the bus is big-endian). */
function swap(v: number, size: 1 | 2 | 4): number {
  if (size === 1) return v & 0xFF;
  if (size === 2) return ((v & 0xFF) << 8) | ((v >>> 8) & 0xFF);
  return (((v & 0xFF) << 24) | ((v & 0xFF00) << 8) | ((v >>> 8) & 0xFF00) | (v >>> 24)) >>> 0;
}

/** A big-endian 32-bit register after a write of `size` bytes at `offset`. */
function widen(old: number, offset: number, size: 1 | 2 | 4, value: number): number {
  if (size === 4) return value >>> 0;
  const shift = (4 - size - (offset & 3)) * 8;
  const mask = (size === 2 ? 0xFFFF : 0xFF) << shift;
  return ((old & ~mask) | ((value << shift) & mask)) >>> 0;
}
