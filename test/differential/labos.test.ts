// labOS in the lab against labOS on QEMU: the same scripted session prints
// the same console, byte for byte, except the lines that carry timings
// (bench, uptime and ps rows, documented in resources/guests/labos/README.md);
// every benchmark row is present in both and well formed; interactive input
// with line editing behaves the same.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runElf } from '../../src/main/guest/run';
import { qemuAvailable, runOnQemu } from '../support/qemu';
import { missing } from '../support/tools';

const ELF = join(__dirname, '..', '..', 'resources', 'guests', 'labos', 'labos.elf');
const TIMING_LINE = /^(bench|uptime|ps) /;
/** A benchmark row with its figures; only the hypercall benchmark may be unavailable (QEMU has no hypervisor). */
const BENCH_ROW = /^bench (?:\S+ \d+ \d+ \d+\.\d\d( ops\/s)?|hcall_bytechan - - unavailable)$/;

const SCRIPT = 'help; echo differential; ps; run; run hello; run cpu; run mem; run sys; run align; run segv; run wild; run priv; run hello cpu; bench; uptime; poweroff';

function normalise(text: string): string[] {
  return text.replace(/\r\n/g, '\n').split('\n').map((l) => (TIMING_LINE.test(l) ? l.split(' ').slice(0, 2).join(' ') : l));
}

describe.skipIf(missing('qemu-system-ppc', qemuAvailable()))('labOS: the lab against QEMU', () => {
  it('a scripted session prints the same, timing figures aside', async () => {
    const q = await runOnQemu(ELF, { bootargs: SCRIPT, timeoutMs: 30_000 });
    expect(q.timedOut).toBe(false);
    expect(q.status).toBe(0);
    const lab = runElf(new Uint8Array(readFileSync(ELF)), { bootargs: SCRIPT });
    expect(lab.reason).toBe('reset');
    const want = normalise(q.console.toString('latin1'));
    const got = normalise(Buffer.from(lab.console).toString('latin1'));
    expect(got).toEqual(want);
    const rows = got.filter((l) => l.startsWith('bench '));
    expect(rows.length).toBeGreaterThanOrEqual(14);
    for (const row of Buffer.from(lab.console).toString('latin1').replace(/\r/g, '').split('\n').filter((l) => l.startsWith('bench '))) {
      expect(row).toMatch(BENCH_ROW);
    }
  });

  it('interactive input with line editing behaves the same', async () => {
    // Typed characters, a backspace (DEL) correcting a typo, then poweroff.
    const input = 'echo helli\x7fo lab\rpoweroff\r';
    const q = await runOnQemu(ELF, { input, timeoutMs: 30_000 });
    expect(q.status).toBe(0);
    const lab = runElf(new Uint8Array(readFileSync(ELF)), { input });
    expect(lab.reason).toBe('reset');
    expect(normalise(Buffer.from(lab.console).toString('latin1'))).toEqual(normalise(q.console.toString('latin1')));
    expect(Buffer.from(lab.console).toString('latin1')).toContain('hello lab');
  });
});
