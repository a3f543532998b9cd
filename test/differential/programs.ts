// The bare-metal differential test programs (resources/guests/tests) and how
// each one is run. See resources/guests/tests/*.c for what each covers.
import { resolve } from 'node:path';
import { repoRoot } from '../support/lab';

export interface TestProgram {
  name: string;
  /** QEMU with -icount (deterministic time). rfci/rfmci/rfdi abort QEMU 7.2 under -icount. */
  icount: boolean;
  /** Instruction budget for the lab: about 20 times what the largest program needs. */
  maxInsns: number;
  ramMb?: number;
}

const P = (name: string, extra: Partial<TestProgram> = {}): TestProgram =>
  ({ name, icount: true, maxInsns: 60_000_000, ...extra });

export const testPrograms: TestProgram[] = [
  P('alu'), P('rotate'), P('compare'), P('branch'), P('loadstore'), P('string'), P('atomic'),
  P('system'), P('interrupts'), P('mmu'), P('tlb1sizes'), P('pagecross'), P('smc'), P('timers'),
  P('rfx', { icount: false }),
  P('fpu'),
];

export const testsDir = resolve(repoRoot, 'resources', 'guests', 'tests');
export const programElf = (name: string): string => resolve(testsDir, `${name}.elf`);
