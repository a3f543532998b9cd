// The ppce500 board's I2C controller ("fsl-i2c", CCSR+0x3000, MPIC source 43)
// in master mode, with the devices on its bus. It follows QEMU 7.2's model of
// the block, which is what guests on that board see: a byte written to the
// data register right after a START is the address byte; later writes send
// data; in receive mode each read of the data register returns the byte
// received before and fetches the next one. A transfer that completes sets
// MCF and MIF (and raises the interrupt when MIEN is set); an address no
// device answers sets RXAK instead. Slave mode is not modelled (nor is it on
// QEMU).
//
// Registers, one byte each: ADR 0x00, FDR 0x04, CR 0x08, SR 0x0C, DR 0x10.
// The digital filter register (DFSRR, 0x14) lies just past QEMU's 0x14-byte
// region, so there it reads 0 and ignores writes; so it does here.

import type { MmioDevice } from './bus';
import type { IrqLine } from './irq-line';

/** A device on the I2C bus, addressed by its 7-bit address. */
export interface I2cTarget {
  /** A START addressed to this device, for reading or for writing. */
  start(read: boolean): void;
  /** A data byte from the controller; false when the device does not acknowledge it. */
  send(byte: number): boolean;
  /** The next byte the device sends. */
  recv(): number;
  /** The end of the transfer (STOP or a repeated START). */
  stop(): void;
}

const CR_MEN = 0x80;
const CR_MIEN = 0x40;
const CR_MSTA = 0x20;
const CR_MTX = 0x10;
const CR_RSTA = 0x04;
const CR_WRITABLE = 0xFC;

const SR_MCF = 0x80;
const SR_MBB = 0x20;
const SR_MIF = 0x02;
const SR_RXAK = 0x01;
const SR_WRITABLE = 0xED;
const SR_RESET = SR_MCF | SR_RXAK;

export class I2cController implements MmioDevice {
  readonly name = 'i2c';
  private adr = 0;
  private fdr = 0;
  private cr = 0;
  private sr = SR_RESET;
  private dr = 0;
  /** The device of the transfer in progress, or null between transfers (the next data write is an address). */
  private target: I2cTarget | null = null;
  private addressed = false;
  private irq = false;

  constructor(private readonly targets: ReadonlyMap<number, I2cTarget>, private readonly setIrq: IrqLine) {}

  reset(): void {
    this.endTransfer();
    this.adr = this.fdr = this.cr = this.dr = 0;
    this.sr = SR_RESET;
    this.updateIrq();
  }

  read(offset: number, size: 1 | 2 | 4): number {
    let v = 0;
    for (let i = 0; i < size; i++) v = (v << 8) | this.readByte(offset + i);
    return v >>> 0;
  }

  write(offset: number, size: 1 | 2 | 4, value: number): void {
    for (let i = 0; i < size; i++) this.writeByte(offset + i, (value >>> (8 * (size - 1 - i))) & 0xFF);
  }

  private readByte(offset: number): number {
    switch (offset) {
      case 0x00: return this.adr;
      case 0x04: return this.fdr;
      case 0x08: return this.cr;
      case 0x0C: return this.sr;
      case 0x10: {
        const v = this.dr;
        if (this.cr & CR_MSTA && !(this.cr & CR_MTX)) this.receive();
        return v;
      }
      default: return 0;
    }
  }

  private writeByte(offset: number, v: number): void {
    switch (offset) {
      case 0x00: this.adr = v & 0xFE; break;
      case 0x04: this.fdr = v & 0x3F; break;
      case 0x08: this.writeControl(v); break;
      case 0x0C:
        this.sr = v & SR_WRITABLE;
        this.updateIrq();
        break;
      case 0x10:
        if (!(this.cr & CR_MEN)) break;
        this.dr = v;
        if (this.cr & CR_MSTA) {
          if (this.addressed) this.transmit(v);
          else this.address(v);
        }
        break;
      default: break;
    }
  }

  private writeControl(v: number): void {
    if (this.cr & CR_MEN && !(v & CR_MEN)) {
      // Disabling the block is a soft reset that keeps the slave address.
      const adr = this.adr;
      this.reset();
      this.adr = adr;
      return;
    }
    this.cr = v & CR_WRITABLE;
    if (this.cr & CR_MSTA) {
      this.sr |= SR_MBB;
    } else {
      this.sr &= ~SR_MBB; // STOP
      this.endTransfer();
    }
    if (this.cr & CR_RSTA && this.addressed) {
      this.endTransfer(); // a repeated START: the next data write is an address again
      this.cr &= ~CR_RSTA;
    }
  }

  private address(byte: number): void {
    const target = this.targets.get(byte >>> 1);
    if (target === undefined) {
      this.sr |= SR_RXAK;
      return;
    }
    this.target = target;
    this.addressed = true;
    target.start((byte & 1) === 1);
    this.sr = (this.sr & ~SR_RXAK) | SR_MCF | SR_MIF;
    this.updateIrq();
  }

  private transmit(byte: number): void {
    if (this.target === null || !this.target.send(byte)) {
      this.sr |= SR_RXAK;
      this.endTransfer();
      return;
    }
    this.sr = (this.sr & ~SR_RXAK) | SR_MCF | SR_MIF;
    this.updateIrq();
  }

  private receive(): void {
    if (this.target === null) {
      this.dr = 0xFF;
      return;
    }
    this.dr = this.target.recv() & 0xFF;
    this.sr |= SR_MCF | SR_MIF;
    this.updateIrq();
  }

  private endTransfer(): void {
    if (this.addressed) this.target?.stop();
    this.target = null;
    this.addressed = false;
  }

  private updateIrq(): void {
    const level = (this.cr & CR_MEN) !== 0 && (this.cr & CR_MIEN) !== 0 && (this.sr & SR_MIF) !== 0;
    if (level !== this.irq) {
      this.irq = level;
      this.setIrq.set(level);
    }
  }
}
