// Exit statuses of the `lab` command (distinct so scripts can tell why it ended).
export const EXIT = {
  ok: 0,
  /** An unexpected internal error. */
  failure: 1,
  /** The image is missing, unreadable or not a usable ELF. */
  badImage: 2,
  /** `lab run`: the guest was still running after --max-insns instructions. */
  maxInsns: 3,
  /** A guest stopped at the hardware level (checkstop, watchdog), its kernel panicked, or its emulator failed. */
  checkstop: 4,
  /** `lab run`: the guest waits for an interrupt nothing will raise (e.g. console input). */
  halted: 5,
  /** `lab session --script`: a step failed (an expect timed out, an unknown guest). */
  script: 6,
  /** Bad command line. */
  usage: 64,
  /** Stopped with Ctrl-C. */
  interrupted: 130,
} as const;

export class UsageError extends Error {}
