// Notices a Linux kernel panic on the console. A panicking kernel prints
// "Kernel panic - not syncing: <reason>" and then spins (or reboots after
// `panic=N`); nothing at the hardware level says it has given up. The lab
// watches the console for that line so a panicked guest is reported as
// crashed, with the kernel's own words, instead of looking busy forever.

const MARKER = 'Kernel panic - not syncing: ';
/** The panic line as the kernel prints it: at the start of a line, after the printk time stamp if any. */
const PANIC_LINE = /^(?:\[[ 0-9.]+\] )?(Kernel panic - not syncing: .*)$/;
/** The reason is cut at this many characters (a panic line is short). */
const MAX_REASON = 300;

export class PanicWatch {
  /** The current console line (bytes after the last newline), bounded. */
  private line = '';
  private found = false;

  /** `onPanic` gets the panic line once it is complete. */
  constructor(private readonly onPanic: (line: string) => void) {}

  feed(bytes: Uint8Array): void {
    if (this.found) return;
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i]!;
      if (b === 0x0A || b === 0x0D) {
        this.endLine();
        if (this.found) return;
      } else if (this.line.length < MARKER.length + MAX_REASON + 64) {
        this.line += String.fromCharCode(b);
      }
    }
  }

  /** A new boot starts a new console. */
  reset(): void {
    this.line = '';
    this.found = false;
  }

  private endLine(): void {
    const m = PANIC_LINE.exec(this.line);
    if (m) {
      this.found = true;
      this.onPanic(m[1]!.slice(0, MARKER.length + MAX_REASON).trimEnd());
    }
    this.line = '';
  }
}
