// docs/exits.md and the interface's tooltips say what each counter means from
// one source (COUNTERS in src/shared/stats.ts); this keeps the document whole.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COUNTERS } from '../../../src/shared/stats';

const doc = readFileSync(join(__dirname, '../../../docs/exits.md'), 'utf8');

describe('docs/exits.md', () => {
  it.each(COUNTERS.map((c) => [c.id, c] as const))('documents %s with its KVM name and increment rule', (id, c) => {
    const row = doc.split('\n').find((l) => l.startsWith(`| \`${id}\` |`));
    expect(row, `a table row for ${id}`).toBeDefined();
    expect(row).toContain(c.kvm ? `\`${c.kvm}\`` : 'lab only');
    expect(row).toContain(c.when);
  });

  it('documents no counter that does not exist', () => {
    const ids = new Set<string>(COUNTERS.map((c) => c.id));
    const rows = doc.split('\n').filter((l) => /^\| `[a-z_]+` \|/.test(l)).map((l) => /^\| `([a-z_]+)`/.exec(l)![1]!);
    expect(rows.filter((r) => !ids.has(r))).toEqual([]);
  });

  it('names a KVM counterpart only where KVM has one (kvm_vcpu_stat fields in lower case, timing categories in capitals)', () => {
    const KVM_STAT = ['sum_exits', 'mmio_exits', 'signal_exits', 'light_exits', 'itlb_real_miss_exits', 'itlb_virt_miss_exits',
      'dtlb_real_miss_exits', 'dtlb_virt_miss_exits', 'syscall_exits', 'isi_exits', 'dsi_exits', 'emulated_inst_exits',
      'dec_exits', 'ext_intr_exits', 'halt_successful_wait', 'dbell_exits', 'gdbell_exits', 'halt_wakeup'];
    const TIMING = ['EMULINST', 'EMUL_WAIT', 'EMUL_WRTEE', 'EMUL_MTSPR', 'EMUL_MFSPR', 'EMUL_MTMSR', 'EMUL_MFMSR', 'EMUL_TLBSX',
      'EMUL_TLBWE', 'EMUL_RFI', 'USR_PR_INST', 'FP_UNAVAIL', 'DEBUG'];
    for (const c of COUNTERS) {
      if (c.kvm === null) continue;
      expect([...KVM_STAT, ...TIMING], c.id).toContain(c.kvm);
      // A counter that borrows a kvm_vcpu_stat name is that counter.
      if (KVM_STAT.includes(c.kvm)) expect(c.id, c.kvm).toBe(c.kvm);
    }
  });
});
