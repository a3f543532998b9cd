// The bare-metal differential test programs (resources/guests/tests) and how
// each one is run. See resources/guests/tests/*.c for what each covers.
import { resolve } from 'node:path';
import { repoRoot } from '../support/lab';

export interface TestProgram {
  name: string;
  /** How the tests name this run (the program's name, with its vCPU count when it has several). */
  label: string;
  /** vCPUs: QEMU's -smp N, the lab's smp. */
  smp?: number;
  /** How long QEMU may take (default 30 s). */
  qemuTimeoutMs?: number;
  /**
   * Where QEMU 7.2 departs from the architecture and the lab does not follow
   * it: what the difference is, and QEMU's console rewritten to what the
   * architecture gives (the lab's console is compared with that).
   */
  qemuDeparts?: { what: string; rewrite: (console: string) => string };
  /** QEMU with -icount (deterministic time). rfci/rfmci/rfdi abort QEMU 7.2 under -icount. */
  icount: boolean;
  /** Instruction budget for the lab: about 20 times what the largest program needs. */
  maxInsns: number;
  ramMb?: number;
}

const P = (name: string, extra: Partial<TestProgram> = {}): TestProgram =>
  ({ name, label: extra.smp !== undefined ? `${name} (${extra.smp} vCPUs)` : name, icount: true, maxInsns: 60_000_000, ...extra });

/**
 * QEMU 7.2's tlbivax invalidates only the issuing core's TLB (target/ppc
 * mmu_helper.c, helper_booke206_tlbivax; later QEMU broadcasts it). On e500mc,
 * as Power ISA 2.06 describes, tlbivax invalidates the matching entries of
 * every core, so the other cores' tlbsx no longer finds them (MAS1 = 0).
 */
const TLBIVAX_BROADCAST = {
  what: 'QEMU 7.2 does not broadcast tlbivax to the other cores',
  rewrite: (console: string) => console.replace(/^(cpu [1-7] after-tlbivax-mas1=)80000100/gm, '$100000000'),
};

export const testPrograms: TestProgram[] = [
  P('alu'), P('rotate'), P('compare'), P('branch'), P('loadstore'), P('string'), P('atomic'),
  P('system'), P('interrupts'), P('mmu'), P('tlb1sizes'), P('pagecross'), P('smc'), P('timers'),
  P('rfx', { icount: false }),
  P('fpu'),
  // QEMU 7.2 runs ppce500's cores round-robin on one host thread and hands over
  // only every 100 ms while a core spins, so these take it 4-12 s; the program
  // synchronises explicitly and prints nothing time-dependent, so QEMU runs
  // without -icount (a third faster).
  P('smp', { smp: 2, icount: false, qemuTimeoutMs: 60_000, qemuDeparts: TLBIVAX_BROADCAST }),
  P('smp', { smp: 4, icount: false, qemuTimeoutMs: 90_000, qemuDeparts: TLBIVAX_BROADCAST }),
];

export const testsDir = resolve(repoRoot, 'resources', 'guests', 'tests');
export const programElf = (name: string): string => resolve(testsDir, `${name}.elf`);
