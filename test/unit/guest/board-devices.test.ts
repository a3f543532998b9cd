// The ppce500 board's smaller devices, register by register: the PCI host
// controller with its empty bus, the I2C controller and the clock on it, and
// the MPIC's message-signalled interrupt registers and its answers for
// registers it does not have (values as QEMU 7.2 gives them, read from QEMU
// through U-Boot's `md`; test/differential/uboot.test.ts holds the whole
// board against QEMU).
import { describe, expect, it } from 'vitest';
import { Gpio } from '../../../src/main/devices/gpio';
import { GlobalUtilities } from '../../../src/main/devices/guts';
import { I2cController, type I2cTarget } from '../../../src/main/devices/i2c';
import { Mpic } from '../../../src/main/devices/mpic';
import { HOST_BRIDGE, PciHost } from '../../../src/main/devices/pci-host';
import { RtcDs1338 } from '../../../src/main/devices/rtc-ds1338';

/** CFG_DATA is little-endian on a big-endian bus: what a guest's lwbrx would return. */
function cfgRead(pci: PciHost, bus: number, devfn: number, reg: number): number {
  pci.write(0, 4, (0x80000000 | (bus << 16) | (devfn << 8) | reg) >>> 0);
  const be = pci.read(4, 4);
  return (((be & 0xFF) << 24) | ((be & 0xFF00) << 8) | ((be >>> 8) & 0xFF00) | (be >>> 24)) >>> 0;
}

function cfgWrite(pci: PciHost, devfn: number, reg: number, value: number): void {
  pci.write(0, 4, (0x80000000 | (devfn << 8) | reg) >>> 0);
  const be = (((value & 0xFF) << 24) | ((value & 0xFF00) << 8) | ((value >>> 8) & 0xFF00) | (value >>> 24)) >>> 0;
  pci.write(4, 4, be);
}

describe('PCI host controller', () => {
  it('answers for the host bridge at 00.00.0 and nowhere else', () => {
    const pci = new PciHost();
    expect(cfgRead(pci, 0, 0, 0x00)).toBe((HOST_BRIDGE.device << 16 | HOST_BRIDGE.vendor) >>> 0);
    expect(cfgRead(pci, 0, 0, 0x08)).toBe(0x0B200000);
    expect(cfgRead(pci, 0, 0, 0x2C)).toBe(0x11001AF4);
    expect(cfgRead(pci, 0, 8, 0x00)).toBe(0xFFFFFFFF); // slot 1: empty
    expect(cfgRead(pci, 1, 0, 0x00)).toBe(0xFFFFFFFF); // no bus 1
    pci.write(0, 4, 0); // configuration access disabled
    expect(pci.read(4, 4)).toBe(0xFFFFFFFF);
    expect(pci.read(0, 4)).toBe(0);
  });

  it('sizes BAR 0 as 1 MB and keeps only the writable bits of command and BAR', () => {
    const pci = new PciHost();
    cfgWrite(pci, 0, 0x10, 0xFFFFFFFF);
    expect(cfgRead(pci, 0, 0, 0x10)).toBe(0xFFF00000);
    cfgWrite(pci, 0, 0x10, 0xE0012345);
    expect(cfgRead(pci, 0, 0, 0x10)).toBe(0xE0000000);
    cfgWrite(pci, 0, 0x04, 0xFFFFFFFF);
    expect(cfgRead(pci, 0, 0, 0x04)).toBe(0x0547);
    cfgWrite(pci, 0, 0x0C, 0xFFFFFFFF); // cache line size only
    expect(cfgRead(pci, 0, 0, 0x0C)).toBe(0xFF);
    cfgWrite(pci, 0, 0x00, 0); // identity is read-only
    expect(cfgRead(pci, 0, 0, 0x00)).toBe(0x00301957);
  });

  it('keeps the address-translation registers as written, and nothing else', () => {
    const pci = new PciHost();
    pci.write(0xC20, 4, 0x000E0000);
    pci.write(0xC30, 4, 0x8004401C | 0);
    pci.write(0xDF0, 4, 0xA0F5501E | 0);
    pci.write(0xC00, 4, 0x1234); // outbound window 0 is not writable on QEMU
    pci.write(0x100, 4, 0x1234);
    expect(pci.read(0xC20, 4)).toBe(0x000E0000);
    expect(pci.read(0xC30, 4)).toBe(0x8004401C);
    expect(pci.read(0xDF0, 4)).toBe(0xA0F5501E);
    expect(pci.read(0xC00, 4)).toBe(0);
    expect(pci.read(0x100, 4)).toBe(0);
    pci.reset();
    expect(pci.read(0xC20, 4)).toBe(0);
  });
});

describe('power-off GPIO and reset control', () => {
  it('powers off when pin 0 is driven high as an output, and a board reset lowers the line again', () => {
    let offs = 0;
    const gpio = new Gpio(() => offs++);
    gpio.write(0x00, 4, 0x80000000); // GPDIR: pin 0 an output
    expect(offs).toBe(0);
    gpio.write(0x08, 4, 0x80000000); // GPDAT: high
    expect(offs).toBe(1);
    expect(gpio.read(0x08, 4) >>> 0).toBe(0x80000000);
    gpio.reset();
    expect([gpio.read(0x00, 4), gpio.read(0x08, 4)]).toEqual([0, 0]);
    // A driver's first write after the reset (interrupt mask) does not power the board off again.
    gpio.write(0x10, 4, 0);
    expect(offs).toBe(1);
  });

  it('clears its reset request on a board reset', () => {
    let resets = 0;
    const guts = new GlobalUtilities(() => resets++);
    guts.write(0xB0, 4, 2);
    expect([resets, guts.read(0xB0, 4)]).toEqual([1, 2]);
    guts.reset();
    expect(guts.read(0xB0, 4)).toBe(0);
  });
});

describe('I2C controller and DS1338 clock', () => {
  const CR = 0x08;
  const SR = 0x0C;
  const DR = 0x10;

  function board(seconds: () => number) {
    const rtc = new RtcDs1338(seconds);
    const irq: boolean[] = [];
    const i2c = new I2cController(new Map<number, I2cTarget>([[0x68, rtc]]), { set: (l) => irq.push(l) });
    return { i2c, irq };
  }

  /** Reads `n` clock registers from `reg` the way a driver does: write the pointer, repeated START, read. */
  function readRtc(i2c: I2cController, reg: number, n: number): number[] {
    i2c.write(CR, 1, 0xB0); // enable, master, transmit: START
    i2c.write(DR, 1, 0x68 << 1); // address, write
    i2c.write(DR, 1, reg);
    i2c.write(CR, 1, 0xB4); // repeated START
    i2c.write(DR, 1, (0x68 << 1) | 1); // address, read
    i2c.write(CR, 1, 0xA0); // receive
    i2c.read(DR, 1); // the dummy read starts the first byte
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push(i2c.read(DR, 1));
    i2c.write(CR, 1, 0x80); // STOP
    return out;
  }

  it('reads the time from virtual time, in BCD, starting at 2000-01-01', () => {
    let t = 0;
    const { i2c } = board(() => t);
    t = 3600 * 25 + 61.5; // one day, one hour, one minute, 1.5 s after power-on
    const [sec, min, hour, wday, date, month, year] = readRtc(i2c, 0, 7);
    expect([sec, min, hour, date, month, year]).toEqual([0x01, 0x01, 0x01, 0x02, 0x01, 0x00]);
    expect(wday).toBe(((new Date(Date.UTC(2000, 0, 2)).getUTCDay()) % 7) + 1);
  });

  it('moves the clock when the guest writes it; RAM past the clock registers holds bytes', () => {
    const t = 0;
    const { i2c } = board(() => t);
    i2c.write(CR, 1, 0xB0);
    i2c.write(DR, 1, 0x68 << 1);
    i2c.write(DR, 1, 5); // register pointer: month
    i2c.write(DR, 1, 0x12); // December
    i2c.write(DR, 1, 0x26); // 2026
    i2c.write(CR, 1, 0x80);
    i2c.write(CR, 1, 0xB0);
    i2c.write(DR, 1, 0x68 << 1);
    i2c.write(DR, 1, 0x20);
    i2c.write(DR, 1, 0xAB);
    i2c.write(CR, 1, 0x80);
    expect(readRtc(i2c, 4, 3)).toEqual([0x01, 0x12, 0x26]);
    expect(readRtc(i2c, 0x20, 1)).toEqual([0xAB]);
  });

  it('flags completed bytes (MCF, MIF, interrupt when enabled) and leaves RXAK set for an absent address', () => {
    const { i2c, irq } = board(() => 0);
    expect(i2c.read(SR, 1)).toBe(0x81);
    i2c.write(CR, 1, 0xF0); // enable, interrupts, master, transmit
    i2c.write(DR, 1, 0x50 << 1); // nobody at 0x50
    expect(i2c.read(SR, 1) & 0x03).toBe(0x01);
    expect(irq).toEqual([]);
    i2c.write(CR, 1, 0xC0); // STOP
    i2c.write(CR, 1, 0xF0);
    i2c.write(DR, 1, 0x68 << 1);
    expect(i2c.read(SR, 1) & 0x83).toBe(0x82);
    expect(irq).toEqual([true]);
    i2c.write(SR, 1, 0); // the handler clears MIF
    expect(irq).toEqual([true, false]);
    expect(i2c.read(0x14, 1)).toBe(0); // DFSRR lies outside QEMU's block
  });
});

describe('MPIC as QEMU presents it', () => {
  it('raises an MSI source when MSIIR is written and lowers it when the MSIR is read', () => {
    let out = false;
    const mpic = new Mpic([{ setExternalInput: (l) => { out = l; } }]);
    const msiSource = 224 + 3;
    mpic.write(0x10000 + msiSource * 0x20, 4, (5 << 16) | 0x42); // priority 5, vector 0x42, unmasked
    mpic.write(0x20080, 4, 0); // task priority 0
    mpic.write(0x1740, 4, ((3 << 29) | (7 << 24)) >>> 0); // register 3, bit 7
    expect(mpic.read(0x1720, 4)).toBe(1 << 3);
    expect(out).toBe(true);
    expect(mpic.read(0x200A0, 4)).toBe(0x42);
    mpic.write(0x200B0, 4, 0);
    expect(mpic.read(0x1630, 4)).toBe(1 << 7);
    expect(mpic.read(0x1630, 4)).toBe(0);
    expect(mpic.read(0x1720, 4)).toBe(0);
    expect(out).toBe(false);
  });

  it('reads all ones for registers its blocks do not have, zero outside them', () => {
    const mpic = new Mpic([{ setExternalInput: () => {} }]);
    expect(mpic.read(0x0, 4)).toBe(0x00400402);
    expect(mpic.read(0x4, 4) >>> 0).toBe(0xFFFFFFFF);
    expect(mpic.read(0x1000, 4)).toBe(0x00C30002);
    expect(mpic.read(0x1010, 4) >>> 0).toBe(0xFFFFFFFF);
    expect(mpic.read(0x1110, 4) >>> 0).toBe(0x80000000); // timer 0 base count: count inhibited
    expect(mpic.read(0x1130, 4)).toBe(1);
    expect(mpic.read(0x10018, 4)).toBe(0);
    expect(mpic.read(0x10004, 4) >>> 0).toBe(0xFFFFFFFF);
    expect(mpic.read(0x20000, 4) >>> 0).toBe(0xFFFFFFFF);
    expect(mpic.read(0x20080, 4)).toBe(15);
    expect(mpic.read(0x3800, 4)).toBe(0);
    // The per-core blocks decode 32 cores' worth (0x20000-0x3F0FF), as QEMU 7.2's: cores the board lacks read all ones.
    expect(mpic.read(0x20100, 4) >>> 0).toBe(0xFFFFFFFF);
    expect(mpic.read(0x21080, 4) >>> 0).toBe(0xFFFFFFFF);
    expect(mpic.read(0x30000, 4) >>> 0).toBe(0xFFFFFFFF);
    expect(mpic.read(0x3F0F0, 4) >>> 0).toBe(0xFFFFFFFF);
    expect(mpic.read(0x3F100, 4)).toBe(0);
  });
});

describe('MPIC with several cores', () => {
  /** An MPIC for `cores` cores, with each core's INT output level recorded. */
  function board(cores: number) {
    const out = new Array<boolean>(cores).fill(false);
    const mpic = new Mpic(Array.from({ length: cores }, (_, core) => ({ setExternalInput: (level: boolean) => { out[core] = level; } })));
    for (let k = 0; k < cores; k++) mpic.write(0x20080 + 0x1000 * k, 4, 0); // every core's task priority 0
    return { mpic, out };
  }

  it('reports the core count and answers WHOAMI for the core making the access', () => {
    const { mpic } = board(4);
    expect(mpic.read(0x1000, 4)).toBe(0x00C30302);
    for (let k = 0; k < 4; k++) {
      mpic.current = k;
      expect(mpic.read(0x90, 4)).toBe(k); // the global block's alias
      expect(mpic.read(0x20090 + 0x1000 * k, 4)).toBe(k);
    }
    expect(mpic.read(0x24090, 4) >>> 0).toBe(0xFFFFFFFF); // no core 4
  });

  it('delivers an IPI to each core named, each acknowledging it once at its own block', () => {
    const { mpic, out } = board(3);
    mpic.write(0x10B0, 4, (6 << 16) | 0x51); // IPI 1: priority 6, vector 0x51
    mpic.write(0x20050, 4, 0b110); // dispatched from core 0's block to cores 1 and 2
    expect(out).toEqual([false, true, true]);
    expect(mpic.read(0x210A0, 4)).toBe(0x51);
    expect(out).toEqual([false, false, true]);
    expect(mpic.read(0x210A0, 4)).toBe(0xFFFF); // core 1 has it in service: nothing else (spurious)
    mpic.write(0x210B0, 4, 0);
    expect(mpic.read(0x210A0, 4)).toBe(0xFFFF); // and it is not due again there
    expect(out[2]).toBe(true);
    mpic.current = 2;
    expect(mpic.read(0xA0, 4)).toBe(0x51); // core 2 through the global alias
    mpic.write(0xB0, 4, 0);
    expect(out).toEqual([false, false, false]);
  });

  it('routes a device source to the cores its destination register names, each with its own task priority', () => {
    const { mpic, out } = board(2);
    const vpr = 0x10000 + 0x20 * 42;
    mpic.write(vpr, 4, (5 << 16) | 0x42);
    mpic.write(vpr + 0x10, 4, 0b10); // core 1 only
    mpic.setLine(42, true);
    expect(out).toEqual([false, true]);
    mpic.write(0x21080, 4, 5); // core 1's priority up to the source's: withheld
    expect(out).toEqual([false, false]);
    mpic.write(vpr + 0x10, 4, 0b11); // both cores: core 0 now sees it
    expect(out).toEqual([true, false]);
    mpic.current = 0;
    expect(mpic.proxyAcknowledge(0)).toBe(-1); // not in proxy mode
    expect(mpic.read(0x200A0, 4)).toBe(0x42);
    expect(out[0]).toBe(false);
    mpic.write(0x200B0, 4, 0);
    expect(out[0]).toBe(true); // the line is still high: due again
  });
});

describe('ns16550 loopback', () => {
  it('keeps typed bytes off the receiver while in loopback (a driver self-test must not eat them)', async () => {
    const { Uart16550 } = await import('../../../src/main/devices/uart16550');
    const uart = new Uart16550('u', { write: () => {}, ready: () => true }, { set: () => {} });
    uart.write(2, 1, 0x07); // FIFO on, both cleared
    uart.write(4, 1, 0x10); // loopback
    uart.pushInput(new TextEncoder().encode('b')); // typed meanwhile
    uart.write(0, 1, 0x55); // transmitted into its own receiver
    expect(uart.read(0, 1)).toBe(0x55);
    expect(uart.read(5, 1) & 1).toBe(0); // nothing more: 'b' waits on the line
    uart.write(4, 1, 0x00); // line reconnected
    expect(uart.read(0, 1)).toBe(0x62);
  });
});

describe('the board\'s wiring', () => {
  it('connects devices, cores and the MPIC through objects and their methods, never closures made per board (devices/irq-line.ts)', async () => {
    const { Machine } = await import('../../../src/main/guest/machine');
    const { MpicLine } = await import('../../../src/main/devices/mpic');
    const m = new Machine({ ramMb: 64, smp: 2, console: { write: () => {}, ready: () => true } });
    const fields = (o: object) => Object.values(o as Record<string, unknown>);
    // No device, and no core, holds a function as a field: a closure a caller inlines dies with the board.
    for (const dev of [m.uart, m.i2c, m.mpic, ...m.cpus]) {
      expect(fields(dev).filter((v) => typeof v === 'function')).toEqual([]);
    }
    expect(fields(m.uart).filter((v) => v instanceof MpicLine).map((l) => (l as InstanceType<typeof MpicLine>).source)).toEqual([42]);
    expect(fields(m.i2c).filter((v) => v instanceof MpicLine).map((l) => (l as InstanceType<typeof MpicLine>).source)).toEqual([43]);
    for (const cpu of m.cpus) expect(cpu.externalProxy).toBe(m.mpic);
  });
});
