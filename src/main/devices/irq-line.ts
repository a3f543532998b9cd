// An interrupt line a device drives, as an object with a method rather than a
// closure. A board is built again for every guest (and every experiment run)
// on a thread that keeps V8's optimised code: a device's call of a closure
// made by the board is inlined with that closure as a constant, which V8
// holds weakly, so when the previous board was collected the caller's code
// was thrown away ("weak objects") and compiled again, for every board (an
// experiment pool worker recompiled the UART's and the MPIC's paths 30-80
// times in a 33-run sweep, docs/performance.md). A method of a class is the
// same function for every board.

export interface IrqLine {
  /** The line's level: true while the device asserts it. */
  set(level: boolean): void;
}
