// An ns16550A UART with 16-byte FIFOs, as on the ppce500 board (CCSR+0x4500,
// MPIC source 42). Output goes to a ConsoleSink, never to IPC or a terminal
// directly. Flow control is real: while the sink is paused, transmitted bytes
// wait in the transmit FIFO, LSR[THRE] stays clear and the guest's driver
// waits, exactly as it would behind a slow serial line. No byte is dropped.
// Input typed by the user waits in a host-side queue and enters the 16-byte
// receive FIFO as the guest drains it.

import type { MmioDevice } from './bus';
import type { IrqLine } from './irq-line';

export interface ConsoleSink {
  /** Bytes the guest transmitted. */
  write(bytes: Uint8Array): void;
  /** False while the consumer lags: the UART holds its transmit FIFO. */
  ready(): boolean;
}

const IER_ERBFI = 0x01; // received data available
const IER_ETBEI = 0x02; // transmitter holding register empty
const IER_ELSI = 0x04; // receiver line status

const LSR_DR = 0x01;
const LSR_OE = 0x02;
const LSR_THRE = 0x20;
const LSR_TEMT = 0x40;

const IIR_NONE = 0x01;
const IIR_LINE = 0x06;
const IIR_RDA = 0x04;
const IIR_THRE = 0x02;

const FCR_ENABLE = 0x01;
const FCR_CLEAR_RX = 0x02;
const FCR_CLEAR_TX = 0x04;

const LCR_DLAB = 0x80;
const MCR_LOOP = 0x10;

const FIFO = 16;
/** Output held for a paused sink beyond which a guest that ignores THRE loses bytes. */
const TX_HOLD_LIMIT = 1 << 20;

export class Uart16550 implements MmioDevice {
  readonly name: string;
  private ier = 0;
  private lcr = 0x03;
  private mcr = 0;
  private scr = 0;
  private dll = 0;
  private dlm = 0;
  private fifoEnabled = false;
  private lsrErrors = 0;
  /** THRE interrupt latched until IIR is read or THR written. */
  private thrIrq = false;
  private readonly tx: number[] = [];
  private readonly rx: number[] = [];
  /** Typed input not yet in the receive FIFO. */
  private readonly input: number[] = [];
  private irqLevel = false;
  /** Bytes transmitted so far. */
  txCount = 0;
  /** Bytes lost because a guest kept writing past TX_HOLD_LIMIT while output was paused. */
  txOverruns = 0;

  constructor(name: string, private readonly sink: ConsoleSink, private readonly irq: IrqLine) {
    this.name = name;
  }

  reset(): void {
    this.ier = 0;
    this.lcr = 0x03;
    this.mcr = 0;
    this.scr = 0;
    this.fifoEnabled = false;
    this.lsrErrors = 0;
    this.thrIrq = false;
    this.tx.length = 0;
    this.rx.length = 0;
    this.update();
  }

  // ---- host side ---------------------------------------------------------

  /** Queues typed bytes for the guest. Returns how many were accepted (all). */
  pushInput(bytes: Uint8Array): number {
    for (const b of bytes) this.input.push(b);
    this.fillRx();
    this.update();
    return bytes.length;
  }

  /** Bytes typed but not yet read by the guest. */
  get inputPending(): number {
    return this.input.length + this.rx.length;
  }

  /** True when the guest has output waiting for the sink. */
  get txPending(): boolean {
    return this.tx.length > 0;
  }

  /** Moves held output to the sink if it is ready again. Called by the machine between slices. */
  drain(): void {
    if (this.tx.length === 0 || !this.sink.ready()) return;
    this.flushTx();
    this.update();
  }

  private flushTx(): void {
    // A plain copy: Uint8Array.from(array) goes through the iterator protocol,
    // and this runs once per byte a polling guest transmits.
    const n = this.tx.length;
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.tx[i]!;
    this.tx.length = 0;
    this.txCount += out.length;
    this.sink.write(out);
    this.thrIrq = true;
  }

  private fillRx(): void {
    // In loopback the receiver hears the transmitter, not the line: typed
    // bytes wait (a driver's loopback self-test must not eat them).
    if (this.mcr & MCR_LOOP) return;
    const cap = this.fifoEnabled ? FIFO : 1;
    while (this.rx.length < cap && this.input.length > 0) this.rx.push(this.input.shift()!);
  }

  // ---- registers ---------------------------------------------------------

  private lsr(): number {
    let v = this.lsrErrors;
    if (this.rx.length > 0) v |= LSR_DR;
    if (this.tx.length === 0) v |= LSR_THRE | LSR_TEMT;
    return v;
  }

  private iir(): number {
    const fifo = this.fifoEnabled ? 0xC0 : 0;
    if (this.ier & IER_ELSI && this.lsrErrors) return fifo | IIR_LINE;
    if (this.ier & IER_ERBFI && this.rx.length > 0) return fifo | IIR_RDA;
    if (this.ier & IER_ETBEI && this.thrIrq && this.tx.length === 0) return fifo | IIR_THRE;
    return fifo | IIR_NONE;
  }

  private update(): void {
    const level = (this.iir() & IIR_NONE) === 0;
    if (level !== this.irqLevel) {
      this.irqLevel = level;
      this.irq.set(level);
    }
  }

  read(offset: number, size: 1 | 2 | 4): number {
    if (size !== 1) return this.read(offset, 1) * (size === 2 ? 0x101 : 0x1010101);
    let v = 0;
    switch (offset & 7) {
      case 0:
        if (this.lcr & LCR_DLAB) v = this.dll;
        else {
          v = this.rx.length > 0 ? this.rx.shift()! : 0;
          this.fillRx();
        }
        break;
      case 1: v = this.lcr & LCR_DLAB ? this.dlm : this.ier; break;
      case 2:
        v = this.iir();
        if ((v & 0x0F) === IIR_THRE) this.thrIrq = false;
        break;
      case 3: v = this.lcr; break;
      case 4: v = this.mcr; break;
      case 5:
        v = this.lsr();
        this.lsrErrors = 0;
        break;
      case 6: v = this.mcr & MCR_LOOP ? ((this.mcr & 0x0C) << 4) | ((this.mcr & 0x03) << 4) : 0xB0; break;
      case 7: v = this.scr; break;
    }
    this.update();
    return v;
  }

  write(offset: number, size: 1 | 2 | 4, value: number): void {
    const v = size === 1 ? value & 0xFF : (value >>> ((size - 1) * 8)) & 0xFF;
    switch (offset & 7) {
      case 0:
        if (this.lcr & LCR_DLAB) {
          this.dll = v;
          break;
        }
        this.thrIrq = false;
        if (this.mcr & MCR_LOOP) {
          if (this.rx.length < (this.fifoEnabled ? FIFO : 1)) this.rx.push(v);
          else this.lsrErrors |= LSR_OE;
          this.thrIrq = true;
          break;
        }
        // A driver that ignores THRE could overrun a real FIFO; here bytes are
        // kept (up to a bound that only a runaway guest reaches) so none is lost.
        if (this.tx.length < TX_HOLD_LIMIT) this.tx.push(v);
        else this.txOverruns++;
        if (this.sink.ready()) this.flushTx();
        break;
      case 1:
        if (this.lcr & LCR_DLAB) this.dlm = v;
        else {
          const enablingThre = (v & IER_ETBEI) !== 0 && (this.ier & IER_ETBEI) === 0;
          this.ier = v & 0x0F;
          if (enablingThre && this.tx.length === 0) this.thrIrq = true;
        }
        break;
      case 2:
        this.fifoEnabled = (v & FCR_ENABLE) !== 0;
        if (v & FCR_CLEAR_RX) this.rx.length = 0;
        if (v & FCR_CLEAR_TX) this.tx.length = 0;
        this.fillRx();
        break;
      case 3: this.lcr = v; break;
      case 4:
        this.mcr = v & 0x1F;
        this.fillRx(); // leaving loopback reconnects the line
        break;
      case 5: break;
      case 6: break;
      case 7: this.scr = v; break;
    }
    this.update();
  }
}
