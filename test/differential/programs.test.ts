// Differential tests: every bare-metal test program runs on QEMU's ppce500
// (the oracle) and in the lab; the consoles must match byte for byte.
// QEMU outputs are cached in memory for the duration of the run only.
// Until src/main/guest/run.ts exists, only the QEMU-side checks run.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { qemuAvailable, runOnQemu, type QemuRunResult } from '../support/qemu';
import { consoleText } from '../support/guest-run';
import { loadLab } from '../support/lab';
import { diffConsoles } from './compare';
import { programElf, testPrograms, type TestProgram } from './programs';
import { missing } from '../support/tools';

const runElf = await loadLab();
const qemuCache = new Map<string, Promise<QemuRunResult>>();

function qemuRun(p: TestProgram): Promise<QemuRunResult> {
  let r = qemuCache.get(p.label);
  if (!r) {
    r = runOnQemu(programElf(p.name), { icount: p.icount, ramMb: p.ramMb, smp: p.smp, timeoutMs: p.qemuTimeoutMs ?? 30_000 });
    qemuCache.set(p.label, r);
  }
  return r;
}

describe.skipIf(missing('qemu-system-ppc', qemuAvailable()))('differential test programs', () => {
  for (const p of testPrograms) {
    describe(p.label, () => {
      it('runs to completion on QEMU', async () => {
        const q = await qemuRun(p);
        const text = consoleText(q.console);
        expect(q.timedOut, 'QEMU timed out').toBe(false);
        expect(q.status, q.stderr).toBe(0);
        expect(text.endsWith('done\r\n'), `last output: ${JSON.stringify(text.slice(-200))}`).toBe(true);
        expect(text).not.toMatch(/UNEXPECTED|FATAL/);
      }, (p.qemuTimeoutMs ?? 30_000) + 30_000);

      it('lab console matches QEMU', async () => {
        const q = await qemuRun(p);
        const elf = new Uint8Array(readFileSync(programElf(p.name)));
        const lab = runElf(elf, { maxInsns: p.maxInsns, ramMb: p.ramMb, smp: p.smp });
        const expected = consoleText(q.console);
        const diff = diffConsoles(p.qemuDeparts ? p.qemuDeparts.rewrite(expected) : expected, consoleText(lab.console));
        if (diff) {
          throw new Error(`${p.name}: ${diff.report}\n  lab stopped: ${lab.reason}` +
            `${lab.message ? ` (${lab.message})` : ''} after ${lab.insns} instructions`);
        }
        expect(lab.reason, lab.message).toBe('reset');
      }, (p.qemuTimeoutMs ?? 30_000) + 30_000);
    });
  }
});
