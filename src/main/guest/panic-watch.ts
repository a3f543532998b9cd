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

/** Could `line` (a line's start so far) still become a panic line? */
function couldBePanic(line: string): boolean {
  let rest = line;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0) return /^\[[ 0-9.]*$/.test(rest);
    if (!/^\[[ 0-9.]+\]/.test(rest)) return false;
    rest = rest.slice(close + 1);
    if (rest === '') return true;
    if (rest[0] !== ' ') return false;
    rest = rest.slice(1);
  }
  return rest.length <= MARKER.length ? MARKER.startsWith(rest) : rest.startsWith(MARKER);
}

export class PanicWatch {
  /** The current console line while it can still be a panic line (bounded); '' once it cannot. */
  private line = '';
  /** The current line can no longer be a panic line: its bytes are skipped until the next one. */
  private ruledOut = false;
  /** The current line has the whole marker: the rest is the reason, collected without checks. */
  private marked = false;
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
      } else if (!this.ruledOut && this.line.length < MARKER.length + MAX_REASON + 64) {
        // Console output is mostly ordinary lines: most are ruled out at their first byte.
        this.line += String.fromCharCode(b);
        if (!this.marked) {
          if (!couldBePanic(this.line)) {
            this.ruledOut = true;
            this.line = '';
          } else if (this.line.endsWith(MARKER)) {
            this.marked = true;
          }
        }
      }
    }
  }

  /** A new boot starts a new console. */
  reset(): void {
    this.line = '';
    this.ruledOut = this.marked = false;
    this.found = false;
  }

  private endLine(): void {
    const m = this.ruledOut ? null : PANIC_LINE.exec(this.line);
    if (m) {
      this.found = true;
      this.onPanic(m[1]!.slice(0, MARKER.length + MAX_REASON).trimEnd());
    }
    this.line = '';
    this.ruledOut = this.marked = false;
  }
}
